"""The asyncio Redis client both variants use, tuned to fail fast and recover alone."""

from __future__ import annotations

import asyncio
from types import TracebackType
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from servers.prometheus_metrics import observe_store

# TimeoutError (a deadline below ran out) is an OSError too.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# During an outage a request must fail closed within a second instead of hanging.
REQUEST_DEADLINE = 1.0


SENTINEL_SCHEME = "redis+sentinel"


def connect_redis(url: str) -> Redis:
    """A client for redis://... (one server) or redis+sentinel://... (whichever server the
    Sentinels name primary now, so that a failover is followed without a restart)."""
    if urlsplit(url).scheme == SENTINEL_SCHEME:
        return _connect_sentinel(url)
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


def parse_sentinel_url(url: str) -> tuple[list[tuple[str, int]], str, int]:
    """redis+sentinel://HOST:PORT[,HOST:PORT...]/SERVICE[/DB] -> (sentinels, service, db).

    ValueError with a plain message for anything else."""
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        raise ValueError(f"{url!r}: not a {SENTINEL_SCHEME}:// URL")
    sentinels = []
    for address in parts.netloc.split(","):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{url!r}: each Sentinel is HOST:PORT, got {address!r}")
        sentinels.append((host.strip("[]"), int(port)))
    path = [segment for segment in parts.path.split("/") if segment]
    if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ValueError(f"{url!r}: name the service after the Sentinels: .../SERVICE[/DB]")
    return sentinels, path[0], int(path[1]) if len(path) == 2 else 0


def _connect_sentinel(url: str) -> Redis:
    sentinels, service, db = parse_sentinel_url(url)
    # The same tuning as a direct client; a Sentinel that does not answer within the
    # deadline is skipped for the next one.
    sentinel = Sentinel(
        sentinels,
        sentinel_kwargs={"socket_connect_timeout": REQUEST_DEADLINE / 4, "socket_timeout": 0.5},
        socket_connect_timeout=REQUEST_DEADLINE,
        retry=Retry(NoBackoff(), retries=1),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=0,
    )
    # Each new connection asks the Sentinels for the primary (redis-py's
    # SentinelConnectionPool); a connection to a dead primary fails, is dropped, and the
    # next one goes to the promoted replica. MasterNotFoundError is a ConnectionError.
    client: Redis = sentinel.master_for(service, redis_class=Redis, db=db)
    return client


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
