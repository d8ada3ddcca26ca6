"""Sessions in the SQL database that also holds the users (SQLite or PostgreSQL)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

from servers.db import Database
from servers.prometheus_metrics import observe_store
from servers.sessions.session_store import SessionRecord

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sessions (
        sid TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        data TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS sessions_username ON sessions (username)",
)
_PURGE_EVERY = 1024
_INSERT = "INSERT INTO sessions (sid, username, data, expires_at) VALUES ($1, $2, $3, $4)"


def _columns(record: SessionRecord) -> tuple[str, str, str, float]:
    return record.sid, record.username, record.to_json(), record.expires_at


class SQLSessionStore:
    name = "sql"

    def __init__(self, database: Database) -> None:
        self._db = database
        self._creations = 0

    async def initialise(self) -> None:
        for statement in SCHEMA:
            await self._db.execute(statement)

    async def create(self, record: SessionRecord) -> None:
        self._creations += 1
        async with observe_store("sql", "session_create"):
            if self._creations % _PURGE_EVERY == 0:
                await self._db.execute("DELETE FROM sessions WHERE expires_at < $1", time.time())
            await self._db.execute(_INSERT, *_columns(record))

    async def create_many(self, records: Sequence[SessionRecord]) -> None:
        async with observe_store("sql", "session_create_many"), self._db.transaction() as tx:
            await tx.executemany(_INSERT, [_columns(record) for record in records])

    async def get(self, sid: str) -> SessionRecord | None:
        async with observe_store("sql", "session_get"):
            row = await self._db.fetchone(
                "SELECT data FROM sessions WHERE sid = $1 AND expires_at > $2", sid, time.time()
            )
        return SessionRecord.from_json(row[0]) if row else None

    async def touch(self, record: SessionRecord, idle_expires_at: float) -> None:
        updated = dataclasses.replace(record, idle_expires_at=idle_expires_at)
        async with observe_store("sql", "session_touch"):
            # Only a live row: a session that expired meanwhile stays dead.
            await self._db.execute(
                "UPDATE sessions SET data = $1, expires_at = $2 WHERE sid = $3 AND expires_at > $4",
                updated.to_json(),
                updated.expires_at,
                record.sid,
                time.time(),
            )

    async def delete(self, sid: str) -> bool:
        async with observe_store("sql", "session_delete"):
            return await self._db.execute("DELETE FROM sessions WHERE sid = $1", sid) == 1

    async def delete_user(self, username: str, except_sid: str | None = None) -> int:
        async with observe_store("sql", "session_delete_user"):
            return await self._db.execute(
                "DELETE FROM sessions WHERE username = $1 AND sid <> $2", username, except_sid or ""
            )

    async def count(self) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM sessions WHERE expires_at > $1", time.time()
        )
        return int(row[0]) if row else 0

    async def ping(self) -> None:
        await self._db.ping()

    async def close(self) -> None:
        return None  # the database belongs to the app, which closes it
