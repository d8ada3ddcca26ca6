"""Sessions in Redis: one string key per session with a TTL, one set per user."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from servers.redis_client import as_text, redis_call
from servers.sessions.session_store import SessionRecord


class RedisSessionStore:
    name = "redis"

    def __init__(self, client: Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix

    def _key(self, sid: str) -> str:
        return f"{self._prefix}session:{sid}"

    def _user_key(self, username: str) -> str:
        return f"{self._prefix}user-sessions:{username}"

    @staticmethod
    def _ttl_ms(record: SessionRecord, now: float) -> int:
        return max(1, math.ceil((record.expires_at - now) * 1000))

    async def initialise(self) -> None:
        return None

    def _queue_create(self, pipe: Pipeline, record: SessionRecord, now: float) -> None:
        pipe.set(self._key(record.sid), record.to_json(), px=self._ttl_ms(record, now))
        pipe.sadd(self._user_key(record.username), record.sid)
        # The index lives as long as the newest session could; every session
        # has the same absolute lifetime, so the newest one lives longest.
        # (No PEXPIRE GT: it needs Redis 7, and the fallback binary is 6.2.)
        pipe.pexpire(
            self._user_key(record.username),
            math.ceil((record.absolute_expires_at - now) * 1000),
        )

    async def create(self, record: SessionRecord) -> None:
        async with redis_call("session_create"), self._redis.pipeline(transaction=True) as pipe:
            self._queue_create(pipe, record, time.time())
            await pipe.execute()

    async def create_many(self, records: Sequence[SessionRecord]) -> None:
        # One pipeline, no MULTI: each session is still written whole, and a
        # bulk load need not be atomic as a whole.
        async with (
            redis_call("session_create_many", deadline=None),
            self._redis.pipeline(transaction=False) as pipe,
        ):
            now = time.time()
            for record in records:
                self._queue_create(pipe, record, now)
            await pipe.execute()

    async def get(self, sid: str) -> SessionRecord | None:
        async with redis_call("session_get"):
            raw = await self._redis.get(self._key(sid))
        if raw is None:
            return None
        record = SessionRecord.from_json(raw)
        return record if record.is_live() else None

    async def touch(self, record: SessionRecord, idle_expires_at: float) -> None:
        if not record.is_live():
            return  # expired since it was read: its key may outlive it by the TTL's rounding
        updated = dataclasses.replace(record, idle_expires_at=idle_expires_at)
        async with redis_call("session_touch"):
            # XX: never resurrect a session that logout deleted meanwhile.
            await self._redis.set(
                self._key(record.sid),
                updated.to_json(),
                px=self._ttl_ms(updated, time.time()),
                xx=True,
            )

    async def delete(self, sid: str) -> bool:
        async with redis_call("session_delete"):
            raw = await self._redis.getdel(self._key(sid))
            if raw is not None:
                await self._redis.srem(self._user_key(SessionRecord.from_json(raw).username), sid)
        return raw is not None

    async def delete_user(self, username: str, except_sid: str | None = None) -> int:
        async with redis_call("session_delete_user"):
            members = await self._redis.smembers(self._user_key(username))
            sids = [sid for sid in map(as_text, members) if sid != except_sid]
            if not sids:
                return 0
            deleted: int = await self._redis.delete(*(self._key(sid) for sid in sids))
            await self._redis.srem(self._user_key(username), *sids)
        return deleted

    async def count(self) -> int:
        total = 0
        # A scan of a million keys takes seconds: no request deadline here.
        async with redis_call("session_count", deadline=None):
            async for _ in self._redis.scan_iter(match=self._key("*"), count=1000):
                total += 1
        return total

    async def ping(self) -> None:
        async with redis_call("ping"):
            await self._redis.ping()

    async def close(self) -> None:
        return None  # the client belongs to the app, which closes it
