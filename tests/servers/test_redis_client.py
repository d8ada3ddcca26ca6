"""redis+sentinel:// URLs: read exactly, refused plainly, and a client that follows the
Sentinels (the failover itself is tested on real processes in tests/authlab/topology)."""

from __future__ import annotations

import pytest
from redis.asyncio.sentinel import SentinelConnectionPool

from servers.redis_client import connect_redis, parse_sentinel_url


def test_a_sentinel_url_names_the_sentinels_the_service_and_the_db() -> None:
    assert parse_sentinel_url("redis+sentinel://127.0.0.32:26379,127.0.0.33:26380/lab/2") == (
        [("127.0.0.32", 26379), ("127.0.0.33", 26380)],
        "lab",
        2,
    )
    assert parse_sentinel_url("redis+sentinel://[::1]:26379/lab") == ([("::1", 26379)], "lab", 0)


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "redis+sentinel://127.0.0.32/lab",
        "redis+sentinel://127.0.0.32:x/lab",
        "redis+sentinel://127.0.0.32:26379",
        "redis+sentinel://127.0.0.32:26379/lab/zero",
        "redis+sentinel://127.0.0.32:26379/lab/0/extra",
    ],
)
def test_anything_else_is_refused_with_a_plain_message(url: str) -> None:
    with pytest.raises(ValueError, match=r"redis\+sentinel|HOST:PORT|SERVICE"):
        parse_sentinel_url(url)


def test_the_client_asks_the_sentinels_for_the_primary() -> None:
    client = connect_redis("redis+sentinel://127.0.0.32:26379/lab/1")
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "lab" and pool.is_master
    assert pool.connection_kwargs["db"] == 1
