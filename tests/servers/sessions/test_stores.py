"""One contract for every SessionStore, run against each real backend.

As itsdangerous reuses its suites (TestTimestampSigner(TestSigner)), the
contract is written once in SessionStoreContract and each backend's class only
says how to build its store. Expired records are written with timestamps in the
past rather than by waiting, so nothing here depends on the clock's speed.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from authlab.ports import free_port
from servers.db import open_database
from servers.errors import StoreUnavailable
from servers.redis_client import connect_redis
from servers.sessions.memory import MemorySessionStore
from servers.sessions.redis import RedisSessionStore
from servers.sessions.session_store import SessionRecord, SessionStore
from servers.sessions.sql import SQLSessionStore


def make_record(
    username: str = "alice", idle_in: float = 600, absolute_in: float = 3600
) -> SessionRecord:
    """A record whose timeouts lie idle_in / absolute_in seconds from now (negative: past)."""
    now = time.time()
    return SessionRecord(
        sid=secrets.token_urlsafe(32),
        username=username,
        roles=("user",),
        created_at=now,
        idle_expires_at=now + idle_in,
        absolute_expires_at=now + absolute_in,
    )


class SessionStoreContract:
    """What every backend must do; subclasses provide the `store` fixture."""

    @pytest.fixture
    async def store(self) -> AsyncIterator[SessionStore]:
        raise NotImplementedError
        yield  # pragma: no cover - makes this an async generator like the overrides

    async def test_create_then_get_returns_the_record(self, store: SessionStore) -> None:
        record = make_record()
        await store.create(record)
        assert await store.get(record.sid) == record

    async def test_create_many_is_create_for_each(self, store: SessionStore) -> None:
        records = [make_record(username=f"bulk{i}") for i in range(25)]
        await store.create_many(records)
        for record in records:
            assert await store.get(record.sid) == record
        # The bulk path keeps the per-user index that logout-everywhere relies on.
        assert await store.delete_user("bulk3") == 1
        assert await store.get(records[3].sid) is None

    async def test_unknown_id_is_none(self, store: SessionStore) -> None:
        assert await store.get(secrets.token_urlsafe(32)) is None

    async def test_idle_expired_record_is_not_returned(self, store: SessionStore) -> None:
        # The absolute timeout is far away: the idle one alone must end the session.
        record = make_record(idle_in=-1, absolute_in=3600)
        await store.create(record)
        assert await store.get(record.sid) is None

    async def test_absolute_expired_record_is_not_returned(self, store: SessionStore) -> None:
        # A session in active use (idle timeout ahead) still dies at its absolute timeout.
        record = make_record(idle_in=600, absolute_in=-1)
        await store.create(record)
        assert await store.get(record.sid) is None

    async def test_touch_moves_idle_timeout_only(self, store: SessionStore) -> None:
        record = make_record(idle_in=60, absolute_in=3600)
        await store.create(record)
        pushed = time.time() + 1800
        await store.touch(record, pushed)
        current = await store.get(record.sid)
        assert current is not None
        assert current.idle_expires_at == pushed
        assert current.absolute_expires_at == record.absolute_expires_at

    async def test_touch_cannot_outlive_absolute_timeout(self, store: SessionStore) -> None:
        # Touching far beyond the absolute timeout leaves the absolute one in charge.
        record = make_record(idle_in=60, absolute_in=120)
        await store.create(record)
        await store.touch(record, time.time() + 10_000)
        current = await store.get(record.sid)
        assert current is not None
        assert current.expires_at == record.absolute_expires_at

    async def test_touch_cannot_revive_idle_expired_session(self, store: SessionStore) -> None:
        # No get first: the expired record is still stored (not yet purged) when touched,
        # as when it expires between a request's get and its touch.
        record = make_record(idle_in=-1, absolute_in=3600)
        await store.create(record)
        await store.touch(record, time.time() + 600)
        assert await store.get(record.sid) is None

    async def test_touch_never_resurrects_deleted_session(self, store: SessionStore) -> None:
        # A request that read the session before a concurrent logout must not bring it back.
        record = make_record()
        await store.create(record)
        assert await store.delete(record.sid) is True
        await store.touch(record, time.time() + 600)
        assert await store.get(record.sid) is None
        assert await store.count() == 0

    async def test_delete_reports_whether_it_deleted(self, store: SessionStore) -> None:
        record = make_record()
        await store.create(record)
        assert await store.delete(record.sid) is True
        assert await store.get(record.sid) is None
        assert await store.delete(record.sid) is False

    async def test_delete_user_ends_every_session_of_that_user(self, store: SessionStore) -> None:
        alice = [make_record("alice") for _ in range(3)]
        bob = make_record("bob")
        for record in [*alice, bob]:
            await store.create(record)
        assert await store.delete_user("alice") == 3
        for record in alice:
            assert await store.get(record.sid) is None
        assert await store.get(bob.sid) == bob

    async def test_delete_user_keeps_except_sid(self, store: SessionStore) -> None:
        # Password change: every other session ends, the one that changed it stays.
        keep, *others = [make_record("alice") for _ in range(3)]
        for record in [keep, *others]:
            await store.create(record)
        assert await store.delete_user("alice", except_sid=keep.sid) == 2
        assert await store.get(keep.sid) == keep
        for record in others:
            assert await store.get(record.sid) is None

    async def test_delete_user_without_sessions_is_zero(self, store: SessionStore) -> None:
        await store.create(make_record("bob"))
        assert await store.delete_user("alice") == 0
        assert await store.count() == 1

    async def test_deleted_session_leaves_delete_user_count(self, store: SessionStore) -> None:
        first, second = make_record("alice"), make_record("alice")
        await store.create(first)
        await store.create(second)
        await store.delete(first.sid)
        assert await store.delete_user("alice") == 1

    async def test_count_counts_live_sessions(self, store: SessionStore) -> None:
        assert await store.count() == 0
        for username in ("alice", "alice", "bob"):
            await store.create(make_record(username))
        await store.create(make_record("carol", idle_in=-1))
        # Redis keeps an expired record for its 1 ms TTL; wait that out, not more.
        await asyncio.sleep(0.05)
        assert await store.count() == 3

    async def test_ping(self, store: SessionStore) -> None:
        await store.ping()


class TestMemoryStore(SessionStoreContract):
    @pytest.fixture
    async def store(self) -> AsyncIterator[SessionStore]:
        store = MemorySessionStore()
        await store.initialise()
        yield store
        await store.close()


class TestRedisStore(SessionStoreContract):
    @pytest.fixture
    async def store(self, redis_url: str, redis_prefix: str) -> AsyncIterator[SessionStore]:
        client = connect_redis(redis_url)
        store = RedisSessionStore(client, redis_prefix)
        await store.initialise()
        yield store
        await store.close()
        keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()

    async def test_keys_carry_the_prefix(self, store: SessionStore, redis_prefix: str) -> None:
        # Tests and labs share one Redis: a store must write under its prefix only.
        assert isinstance(store, RedisSessionStore)
        record = make_record()
        await store.create(record)
        keys = {key.decode() async for key in store._redis.scan_iter(match=f"{redis_prefix}*")}
        assert f"{redis_prefix}session:{record.sid}" in keys


class TestSQLiteStore(SessionStoreContract):
    @pytest.fixture
    async def store(self, tmp_path: Path) -> AsyncIterator[SessionStore]:
        database = open_database(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
        store = SQLSessionStore(database)
        await store.initialise()
        yield store
        await store.close()
        await database.close()


@pytest.mark.postgres
class TestPostgresStore(SessionStoreContract):
    @pytest.fixture
    async def store(self, postgres_url: str) -> AsyncIterator[SessionStore]:
        database = open_database(postgres_url)
        store = SQLSessionStore(database)
        await store.initialise()
        yield store
        await store.close()
        await database.close()


# Every operation a request may make; each must fail closed when Redis is gone.
_OPERATIONS: dict[str, Callable[[SessionStore], Awaitable[object]]] = {
    "create": lambda store: store.create(make_record()),
    "get": lambda store: store.get("sid"),
    "touch": lambda store: store.touch(make_record(), time.time() + 60),
    "delete": lambda store: store.delete("sid"),
    "delete_user": lambda store: store.delete_user("alice"),
    "count": lambda store: store.count(),
    "ping": lambda store: store.ping(),
}


@pytest.mark.parametrize("operation", sorted(_OPERATIONS))
async def test_redis_store_fails_closed_when_unreachable(operation: str) -> None:
    # Nothing listens on this port: the connection is refused at once. The
    # timeout is only a guard so that a hang fails the test instead of stalling CI.
    client = connect_redis(f"redis://127.0.0.1:{free_port()}/0")
    store = RedisSessionStore(client, "authlab-test:closed:")
    try:
        async with asyncio.timeout(10):
            with pytest.raises(StoreUnavailable) as caught:
                await _OPERATIONS[operation](store)
        assert caught.value.store == "redis"
    finally:
        await client.aclose()
