"""What a session store keeps, and the protocol every backend follows."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Protocol


@dataclass(frozen=True)
class SessionRecord:
    sid: str
    username: str
    roles: tuple[str, ...]
    created_at: float
    # Idle timeout: pushed forward as the session is used.
    idle_expires_at: float
    # Absolute timeout: never moves; a stolen session dies at this time at the latest.
    absolute_expires_at: float

    @property
    def expires_at(self) -> float:
        return min(self.idle_expires_at, self.absolute_expires_at)

    def is_live(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) < self.expires_at

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> SessionRecord:
        raw = json.loads(text)
        raw["roles"] = tuple(raw["roles"])
        return cls(**raw)


class SessionStore(Protocol):
    """Every method may raise StoreUnavailable; callers then fail closed."""

    name: str

    async def initialise(self) -> None: ...

    async def create(self, record: SessionRecord) -> None: ...

    async def create_many(self, records: Sequence[SessionRecord]) -> None:
        """Create many sessions in few round trips (imports, and sizing experiments)."""

    async def get(self, sid: str) -> SessionRecord | None:
        """The live record, or None for an unknown or expired id."""

    async def touch(self, record: SessionRecord, idle_expires_at: float) -> None:
        """Push the idle timeout forward."""

    async def delete(self, sid: str) -> bool: ...

    async def delete_user(self, username: str, except_sid: str | None = None) -> int:
        """End every session of a user (password change, disabled account)."""

    async def count(self) -> int: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
