"""The asyncio Redis client both variants use, tuned to fail fast and recover alone."""

from __future__ import annotations

import asyncio
from types import TracebackType

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from servers.metrics import observe_store

# TimeoutError (a deadline below ran out) is an OSError too.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# During an outage a request must fail closed within a second instead of hanging.
REQUEST_DEADLINE = 1.0


def connect_redis(url: str) -> Redis:
    # No socket_timeout: redis-py enforces it with asyncio.wait_for, a new task
    # for every command sent (about a tenth of a session check's CPU here).
    # redis_call gives each operation one deadline instead. One immediate retry
    # covers a connection that went stale while Redis restarted; the pool
    # reconnects on its own after.
    return Redis.from_url(
        url,
        socket_timeout=None,
        socket_connect_timeout=REQUEST_DEADLINE,
        retry=Retry(NoBackoff(), retries=1),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=0,
    )


# Lower-case: it is used as `async with redis_call(...)`, like the function it replaced.
class redis_call:
    """Time one Redis operation, give it `deadline` seconds (None: no limit), and
    turn a lost or silent Redis into StoreUnavailable: callers fail closed."""

    __slots__ = ("_deadline", "_observed", "_timeout")

    def __init__(self, operation: str, deadline: float | None = REQUEST_DEADLINE) -> None:
        self._observed = observe_store("redis", operation, UNREACHABLE)
        self._deadline = deadline
        self._timeout: asyncio.Timeout | None = None

    async def __aenter__(self) -> None:
        await self._observed.__aenter__()
        if self._deadline is not None:
            # One timer per operation (asyncio.timeout cancels the awaited command).
            self._timeout = asyncio.timeout(self._deadline)
            await self._timeout.__aenter__()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._timeout is not None:
            try:
                await self._timeout.__aexit__(kind, error, traceback)
            except TimeoutError as expired:
                await self._observed.__aexit__(TimeoutError, expired, expired.__traceback__)
                raise  # not reached: observe_store raised StoreUnavailable
        await self._observed.__aexit__(kind, error, traceback)


def as_text(value: bytes | str) -> str:
    """Redis replies are bytes (the client does not decode, which keeps GET cheap)."""
    return value.decode() if isinstance(value, bytes) else value
