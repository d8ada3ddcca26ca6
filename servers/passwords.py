"""argon2id password hashing, off the event loop, with a dummy hash for unknown users."""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from servers.config import Argon2Params

# Verifying against this hash costs what a real verify costs, so a login for an
# unknown user takes as long as a wrong password (no user enumeration by timing).
_DUMMY_PASSWORD = "authlab-dummy-password-never-matches"


class Passwords:
    def __init__(self, params: Argon2Params) -> None:
        self.params = params
        self._hasher = PasswordHasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            type=Type.ID,
        )
        self._dummy_hash = self._hasher.hash(_DUMMY_PASSWORD)

    def hash_sync(self, password: str) -> str:
        return self._hasher.hash(password)

    async def hash(self, password: str) -> str:
        # argon2 takes tens of milliseconds of CPU: run it in a worker thread so
        # that the event loop goes on serving authenticated requests meanwhile.
        result: str = await anyio.to_thread.run_sync(self._hasher.hash, password)
        return result

    def _verify_sync(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and (
                password_hash is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when password matches; None as the hash means an unknown user."""
        result: bool = await anyio.to_thread.run_sync(self._verify_sync, password_hash, password)
        return result
