"""The session strategy: an opaque random id, signed, pointing at a record in a store."""

from __future__ import annotations

import contextlib
import secrets
import time
from typing import Any

from itsdangerous import BadSignature, Signer

from servers.auth import AuthFailed, Grant, Principal
from servers.config import Settings
from servers.errors import NotSupported
from servers.sessions.session_store import SessionRecord, SessionStore
from servers.users import User

SESSION_ID_BYTES = 32  # 256 bits of randomness; OWASP asks for at least 64 bits of entropy
# itsdangerous salt of the signed session id (the attack battery forges with it too).
SESSION_SALT = "authlab.session-id"


class SessionStrategy:
    variant = "session"

    def __init__(self, settings: Settings, store: SessionStore, secret_keys: list[bytes]) -> None:
        self.settings = settings
        self.store = store
        # itsdangerous takes the keys oldest first and signs with the last one,
        # so a new key can be added while ids signed with the old one still work.
        self._signer = Signer(secret_keys, salt=SESSION_SALT)
        # Push the idle timeout forward at most this often: a write per request
        # would double the store traffic for a few seconds of precision.
        self._touch_interval = min(60.0, settings.session_ttl / 10)

    async def start(self) -> None:
        await self.store.initialise()

    async def close(self) -> None:
        await self.store.close()

    def _unsign(self, credential: str) -> str:
        try:
            return self._signer.unsign(credential).decode("ascii")
        except (BadSignature, UnicodeDecodeError) as error:
            raise AuthFailed("bad_signature") from error

    async def login(self, user: User, previous_credential: str | None) -> Grant:
        if previous_credential:
            # Session fixation: an id the client arrived with is never adopted;
            # if it names a live session, that session ends here.
            with contextlib.suppress(AuthFailed):
                await self.store.delete(self._unsign(previous_credential))
        now = time.time()
        record = SessionRecord(
            sid=secrets.token_urlsafe(SESSION_ID_BYTES),
            username=user.username,
            roles=user.roles,
            created_at=now,
            idle_expires_at=now + self.settings.session_ttl,
            absolute_expires_at=now + self.settings.session_absolute_ttl,
        )
        await self.store.create(record)
        signed = self._signer.sign(record.sid).decode("ascii")
        body: dict[str, Any] = {"username": user.username}
        if self.settings.effective_transport == "header":
            body = {**body, "access_token": signed, "token_type": "Bearer"}
        return Grant(credential=signed, credential_id=record.sid, body=body, cookie_max_age=None)

    async def authenticate(self, credential: str) -> Principal:
        sid = self._unsign(credential)
        record = await self.store.get(sid)
        if record is None:
            raise AuthFailed("unknown_session")
        now = time.time()
        last_touched = record.idle_expires_at - self.settings.session_ttl
        if now - last_touched >= self._touch_interval:
            record_idle = min(now + self.settings.session_ttl, record.absolute_expires_at)
            await self.store.touch(record, record_idle)
        return Principal(
            username=record.username,
            roles=record.roles,
            credential_id=sid,
            expires_at=record.expires_at,
        )

    async def logout(self, principal: Principal) -> None:
        await self.store.delete(principal.credential_id)

    async def revoke_user(self, username: str) -> None:
        await self.store.delete_user(username)

    async def refresh(self, refresh_token: str) -> Grant:
        raise NotSupported("sessions have no refresh tokens: the idle timeout slides instead")

    async def ping(self) -> None:
        await self.store.ping()

    def describe(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "store": self.store.name,
            "transport": self.settings.effective_transport,
        }
