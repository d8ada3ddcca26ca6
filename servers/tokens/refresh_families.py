"""Refresh tokens are server-side state: one Redis key per token family.

A family starts at login. Its key holds the jti of the one refresh token that
may be used next; using it swaps in the next jti (rotation). Presenting an
older jti of the family means a copy was stolen and used: the whole family ends
(reuse detection, OAuth 2.0 Security BCP section 4.14).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from servers.redis_client import as_text, redis_call

# KEYS[1] family key; ARGV: presented jti, next jti, ttl in ms.
_ROTATE = """
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if current ~= ARGV[1] then redis.call('DEL', KEYS[1]) return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""


class FamilyStart(NamedTuple):
    username: str
    family: str
    jti: str  # of the refresh token that may be used next


class Rotation(Enum):
    ROTATED = 1
    UNKNOWN = 0  # expired, logged out or revoked
    REUSED = -1  # an old token of a live family: the family is now ended


class RefreshFamilies:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix
        self._rotate = client.register_script(_ROTATE)

    def _key(self, family: str) -> str:
        return f"{self._prefix}refresh-family:{family}"

    def _user_key(self, username: str) -> str:
        return f"{self._prefix}user-families:{username}"

    def _queue_start(self, pipe: Pipeline, start: FamilyStart, ttl: int) -> None:
        pipe.set(self._key(start.family), start.jti, ex=ttl)
        pipe.sadd(self._user_key(start.username), start.family)
        pipe.expire(self._user_key(start.username), ttl)

    async def start(self, username: str, family: str, jti: str, ttl: int) -> None:
        async with redis_call("refresh_start"), self._redis.pipeline(transaction=True) as pipe:
            self._queue_start(pipe, FamilyStart(username, family, jti), ttl)
            await pipe.execute()

    async def start_many(self, starts: Sequence[FamilyStart], ttl: int) -> None:
        """Many families in one pipeline (sizing experiments, imports)."""
        async with (
            redis_call("refresh_start_many", deadline=None),
            self._redis.pipeline(transaction=False) as pipe,
        ):
            for start in starts:
                self._queue_start(pipe, start, ttl)
            await pipe.execute()

    async def rotate(self, family: str, jti: str, next_jti: str, ttl: int) -> Rotation:
        async with redis_call("refresh_rotate"):
            result = await self._rotate(keys=[self._key(family)], args=[jti, next_jti, ttl * 1000])
        return Rotation(int(result))

    async def end(self, family: str) -> None:
        async with redis_call("refresh_end"):
            await self._redis.delete(self._key(family))

    async def end_user(self, username: str) -> None:
        async with redis_call("refresh_end_user"):
            families = await self._redis.smembers(self._user_key(username))
            keys = [self._key(as_text(family)) for family in families]
            await self._redis.delete(self._user_key(username), *keys)

    async def ping(self) -> None:
        async with redis_call("ping"):
            await self._redis.ping()
