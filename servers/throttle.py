"""Per-account login throttle: after N failures in a window, 429 until it passes.

It counts by the submitted name whether or not the account exists, so the
throttle itself does not reveal which accounts exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

from servers.redis_client import redis_call


class LoginThrottle(Protocol):
    async def retry_after(self, username: str) -> int:
        """Seconds until this account may try again; 0 when it may now."""

    async def failed(self, username: str) -> None: ...

    async def succeeded(self, username: str) -> None: ...


class MemoryLoginThrottle:
    """Per process: with several workers each keeps its own count.

    `clock` (seconds, wall time by default) is a parameter so that a test can move time on
    instead of sleeping through a window.
    """

    def __init__(
        self, max_failures: int, window: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}

    async def retry_after(self, username: str) -> int:
        count, started = self._failures.get(username, (0, 0.0))
        remaining = started + self.window - self._clock()
        if remaining <= 0:
            self._failures.pop(username, None)
            return 0
        return max(1, int(remaining)) if count >= self.max_failures else 0

    async def failed(self, username: str) -> None:
        if len(self._failures) > 100_000:
            self._failures.clear()  # bound memory under a spray of names
        now = self._clock()
        count, started = self._failures.get(username, (0, now))
        if started + self.window < now:
            count, started = 0, now
        self._failures[username] = (count + 1, started)

    async def succeeded(self, username: str) -> None:
        self._failures.pop(username, None)


class RedisLoginThrottle:
    """Shared by every server process that uses the same Redis."""

    def __init__(self, client: Redis, prefix: str, max_failures: int, window: int) -> None:
        self._redis = client
        self._prefix = prefix
        self.max_failures = max_failures
        self.window = window

    def _key(self, username: str) -> str:
        return f"{self._prefix}login-failures:{username}"

    async def retry_after(self, username: str) -> int:
        async with redis_call("throttle_get"), self._redis.pipeline(transaction=False) as pipe:
            pipe.get(self._key(username))
            pipe.ttl(self._key(username))
            count, ttl = await pipe.execute()
        return max(1, int(ttl)) if count is not None and int(count) >= self.max_failures else 0

    async def failed(self, username: str) -> None:
        async with redis_call("throttle_fail"), self._redis.pipeline(transaction=True) as pipe:
            # SET NX EX starts the window once; INCR keeps its TTL.
            # (Not EXPIRE NX: it needs Redis 7, the fallback binary is 6.2.)
            pipe.set(self._key(username), 0, ex=self.window, nx=True)
            pipe.incr(self._key(username))
            await pipe.execute()

    async def succeeded(self, username: str) -> None:
        async with redis_call("throttle_reset"):
            await self._redis.delete(self._key(username))
