"""Sessions in this process's memory: fast, and lost to every other process."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

from servers.sessions.session_store import SessionRecord

_PURGE_EVERY = 1024  # creations between sweeps of expired records


class MemorySessionStore:
    name = "memory"

    def __init__(self) -> None:
        self._records: dict[str, SessionRecord] = {}
        self._creations = 0

    async def initialise(self) -> None:
        return None

    def _purge(self) -> None:
        now = time.time()
        for sid in [sid for sid, record in self._records.items() if not record.is_live(now)]:
            del self._records[sid]

    async def create(self, record: SessionRecord) -> None:
        self._creations += 1
        if self._creations % _PURGE_EVERY == 0:
            self._purge()
        self._records[record.sid] = record

    async def create_many(self, records: Sequence[SessionRecord]) -> None:
        for record in records:
            await self.create(record)

    async def get(self, sid: str) -> SessionRecord | None:
        record = self._records.get(sid)
        if record is None:
            return None
        if not record.is_live():
            self._records.pop(sid, None)
            return None
        return record

    async def touch(self, record: SessionRecord, idle_expires_at: float) -> None:
        stored = self._records.get(record.sid)
        # Neither a deleted nor an expired (not yet purged) session comes back.
        if stored is not None and stored.is_live():
            self._records[record.sid] = dataclasses.replace(record, idle_expires_at=idle_expires_at)

    async def delete(self, sid: str) -> bool:
        return self._records.pop(sid, None) is not None

    async def delete_user(self, username: str, except_sid: str | None = None) -> int:
        doomed = [
            sid
            for sid, record in self._records.items()
            if record.username == username and sid != except_sid
        ]
        for sid in doomed:
            del self._records[sid]
        return len(doomed)

    async def count(self) -> int:
        self._purge()
        return len(self._records)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._records.clear()
