"""The asyncio Redis client both variants use, tuned to fail fast and recover alone."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from servers.metrics import observe_store

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def connect_redis(url: str) -> Redis:
    # Short timeouts: during an outage a request must fail closed within a
    # second instead of hanging. One immediate retry covers a connection that
    # went stale while Redis restarted; the pool reconnects on its own after.
    return Redis.from_url(
        url,
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
        retry=Retry(NoBackoff(), retries=1),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=0,
    )


def redis_call(operation: str) -> observe_store:
    """Time one Redis operation and turn a lost connection into StoreUnavailable."""
    return observe_store("redis", operation, UNREACHABLE)


def as_text(value: bytes | str) -> str:
    """Redis replies are bytes (the client does not decode, which keeps GET cheap)."""
    return value.decode() if isinstance(value, bytes) else value
