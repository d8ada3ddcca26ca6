"""The token server's own state in Redis: bulk calls write what the single ones write."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from servers.redis_client import connect_redis
from servers.tokens.denylist import DenyList
from servers.tokens.refresh_families import FamilyStart, RefreshFamilies, Rotation


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[Redis]:
    redis = connect_redis(redis_url)
    yield redis
    await redis.aclose()


async def test_start_many_families_rotate_like_started_ones(
    client: Redis, redis_prefix: str
) -> None:
    families = RefreshFamilies(client, redis_prefix)
    await families.start_many(
        [FamilyStart("alice", "f1", "j1"), FamilyStart("bob", "f2", "j2")], 60
    )
    assert await families.rotate("f1", "j1", "j1b", 60) is Rotation.ROTATED
    assert await families.rotate("f2", "stale", "x", 60) is Rotation.REUSED
    await families.end_user("alice")
    assert await families.rotate("f1", "j1b", "j1c", 60) is Rotation.UNKNOWN


async def test_deny_many_revokes_each_jti_until_its_expiry(
    client: Redis, redis_prefix: str
) -> None:
    denylist = DenyList(client, redis_prefix)
    expires = time.time() + 60
    await denylist.deny_many([("a", expires), ("b", expires)])
    assert await denylist.is_revoked("a", "alice", 0)
    assert await denylist.is_revoked("b", "alice", 0)
    assert not await denylist.is_revoked("c", "alice", 0)
    ttl = await client.pttl(f"{redis_prefix}deny:a")
    assert 0 < ttl <= 60_000
