"""Revocation for access tokens: a deny list of jti, and a per-user generation.

This is state again: every request now costs a Redis round trip, which is the
price of logout that works before exp. One MGET answers both questions.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from redis.asyncio import Redis

from servers.redis_client import redis_call


def _ttl_ms(expires_at: float) -> int:
    # Kept only until the token would have expired anyway: the list stays small.
    return max(1, math.ceil((expires_at - time.time()) * 1000))


class DenyList:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix

    def _jti_key(self, jti: str) -> str:
        return f"{self._prefix}deny:{jti}"

    def _generation_key(self, username: str) -> str:
        return f"{self._prefix}token-generation:{username}"

    async def generation(self, username: str) -> int:
        async with redis_call("generation_get"):
            value = await self._redis.get(self._generation_key(username))
        return int(value or 0)

    async def is_revoked(self, jti: str, username: str, generation: int) -> bool:
        async with redis_call("denylist_check"):
            denied, current = await self._redis.mget(
                self._jti_key(jti), self._generation_key(username)
            )
        return denied is not None or int(current or 0) > generation

    async def deny(self, jti: str, expires_at: float) -> None:
        async with redis_call("denylist_add"):
            await self._redis.set(self._jti_key(jti), 1, px=_ttl_ms(expires_at))

    async def deny_many(self, denials: Sequence[tuple[str, float]]) -> None:
        """(jti, expires_at) pairs in one pipeline (sizing experiments: no request deadline)."""
        async with (
            redis_call("denylist_add_many", deadline=None),
            self._redis.pipeline(transaction=False) as pipe,
        ):
            for jti, expires_at in denials:
                pipe.set(self._jti_key(jti), 1, px=_ttl_ms(expires_at))
            await pipe.execute()

    async def revoke_user(self, username: str) -> None:
        """Every token issued to the user so far is refused from now on."""
        async with redis_call("generation_incr"):
            await self._redis.incr(self._generation_key(username))
