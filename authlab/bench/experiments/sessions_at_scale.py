"""What N live sessions cost in each store, and what the token server keeps beside them.

Sessions are made in bulk through each store's own code (not by argon2
logins, which would take hours at N = 1M). Memory is read the way each store
would be sized in production: Redis used_memory, the SQLite file, PostgreSQL's
relation size, and for in-process memory the Python allocations (tracemalloc).
"""

from __future__ import annotations

import asyncio
import gc
import secrets
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from servers.sessions.base import SessionRecord

# Operations in flight at once: enough to keep Redis busy, within its client pool.
_BATCH = 100


def _records(count: int) -> list[SessionRecord]:
    now = time.time()
    return [
        SessionRecord(
            sid=secrets.token_urlsafe(32),
            username=f"user{index % 100_000:06d}",
            roles=("user",),
            created_at=now,
            idle_expires_at=now + 1800,
            absolute_expires_at=now + 8 * 3600,
        )
        for index in range(count)
    ]


async def _create_all(store: Any, records: list[SessionRecord]) -> float:
    started = time.perf_counter()
    for start in range(0, len(records), _BATCH):
        await asyncio.gather(*(store.create(r) for r in records[start : start + _BATCH]))
    return time.perf_counter() - started


def memory_store(count: int) -> dict[str, Any]:
    from servers.sessions.memory import MemorySessionStore

    async def fill(store: MemorySessionStore) -> float:
        started = time.perf_counter()
        for start in range(0, count, _BATCH):
            for record in _records(min(_BATCH, count - start)):
                await store.create(record)
        return time.perf_counter() - started

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    store = MemorySessionStore()
    # Records are made batch by batch inside the trace, so what stays traced
    # is what the store holds: the records and its dict.
    seconds = asyncio.run(fill(store))
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del store
    return _row("memory", count, after - before, seconds)


def redis_store(count: int, redis_url: str) -> dict[str, Any]:
    from servers.redis_client import connect_redis
    from servers.sessions.redis import RedisSessionStore

    async def run() -> tuple[int, float, int | None]:
        client = connect_redis(redis_url)
        prefix = f"authlab-scale-{secrets.token_hex(4)}:"
        try:
            await _warm(client)
            before = (await client.info("memory"))["used_memory"]
            records = _records(count)
            seconds = await _create_all(RedisSessionStore(client, prefix), records)
            after = (await client.info("memory"))["used_memory"]
            # Redis's own account of one session key, beside the whole-server delta.
            sample = await client.memory_usage(f"{prefix}session:{records[0].sid}")
            await _delete_prefix(client, prefix)
            return after - before, seconds, sample
        finally:
            await client.aclose()

    used, seconds, sample = asyncio.run(run())
    return {**_row("redis", count, used, seconds), "sample_key_bytes": sample}


def token_state(count: int, redis_url: str, kind: str) -> dict[str, Any]:
    """The token server's own state: refresh-token families, and deny-list entries."""
    from servers.redis_client import connect_redis
    from servers.tokens.denylist import DenyList
    from servers.tokens.refresh import RefreshFamilies

    async def run() -> tuple[int, float]:
        client = connect_redis(redis_url)
        prefix = f"authlab-scale-{secrets.token_hex(4)}:"
        try:
            await _warm(client)
            before = (await client.info("memory"))["used_memory"]
            started = time.perf_counter()
            families = RefreshFamilies(client, prefix)
            denylist = DenyList(client, prefix)
            expires = time.time() + 900
            for start in range(0, count, _BATCH):
                batch = range(start, min(count, start + _BATCH))
                if kind == "refresh":
                    await asyncio.gather(
                        *(
                            families.start(
                                f"user{i % 100_000:06d}",
                                secrets.token_urlsafe(16),
                                secrets.token_urlsafe(16),
                                14 * 86400,
                            )
                            for i in batch
                        )
                    )
                else:
                    await asyncio.gather(
                        *(denylist.deny(secrets.token_urlsafe(16), expires) for _ in batch)
                    )
            seconds = time.perf_counter() - started
            after = (await client.info("memory"))["used_memory"]
            await _delete_prefix(client, prefix)
            return after - before, seconds
        finally:
            await client.aclose()

    used, seconds = asyncio.run(run())
    name = "token refresh families (redis)" if kind == "refresh" else "token deny list (redis)"
    return _row(name, count, used, seconds)


async def _warm(client: Any) -> None:
    """Open every connection the batches will use before memory is read: each
    client connection costs Redis tens of KiB, which is not the sessions' cost."""
    await asyncio.gather(*(client.ping() for _ in range(_BATCH)))


async def _delete_prefix(client: Any, prefix: str) -> None:
    batch = []
    async for key in client.scan_iter(match=f"{prefix}*", count=5000):
        batch.append(key)
        if len(batch) >= 5000:
            await client.unlink(*batch)
            batch.clear()
    if batch:
        await client.unlink(*batch)


def sql_store(count: int, url: str | None = None) -> dict[str, Any]:
    """SQLite (a fresh file) or PostgreSQL (a fresh table): one multi-row insert per batch."""
    from servers.db import open_database
    from servers.sessions.sql import SQLSessionStore

    with tempfile.TemporaryDirectory() as directory:
        database_url = url or f"sqlite:///{Path(directory) / 'scale.sqlite3'}"

        async def run() -> tuple[int, float]:
            database = open_database(database_url)
            store = SQLSessionStore(database)
            await database.execute("DROP TABLE IF EXISTS sessions")
            await store.initialise()
            before = await _sql_size(database)
            records = _records(count)
            started = time.perf_counter()
            for start in range(0, count, _BATCH):
                async with database.transaction() as tx:
                    for record in records[start : start + _BATCH]:
                        await tx.execute(
                            "INSERT INTO sessions (sid, username, data, expires_at) "
                            "VALUES ($1, $2, $3, $4)",
                            record.sid,
                            record.username,
                            record.to_json(),
                            record.expires_at,
                        )
            seconds = time.perf_counter() - started
            size = await _sql_size(database) - before
            await database.execute("DROP TABLE IF EXISTS sessions")
            await database.close()
            return size, seconds

        size, seconds = asyncio.run(run())
    return _row("postgresql" if url else "sqlite", count, size, seconds)


async def _sql_size(database: Any) -> int:
    if database.dialect == "sqlite":
        await database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = await database.fetchone("PRAGMA page_count")
        page_size = await database.fetchone("PRAGMA page_size")
        return int(pages[0]) * int(page_size[0])
    row = await database.fetchone("SELECT pg_total_relation_size('sessions')")
    return int(row[0])


def _row(store: str, count: int, used: int, seconds: float) -> dict[str, Any]:
    return {
        "store": store,
        "sessions": count,
        "bytes_total": int(used),
        "bytes_per_session": round(used / count, 1),
        "seconds_to_create": round(seconds, 3),
    }


def measure(
    counts: tuple[int, ...], redis_url: str | None, postgres_url: str | None
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for count in counts:
        rows.append(memory_store(count))
        rows.append(sql_store(count))
        if postgres_url:
            from authlab.bench.experiments.scratch import scratch_postgres

            try:
                with scratch_postgres(postgres_url) as scratch_url:
                    rows.append(sql_store(count, scratch_url))
            except Exception as error:
                rows.append({"store": "postgresql", "sessions": count, "error": str(error)})
        if redis_url:
            rows.append(redis_store(count, redis_url))
            rows.append(token_state(count, redis_url, "refresh"))
            rows.append(token_state(count, redis_url, "deny"))
        # The stateless token keeps nothing per session on the server.
        rows.append(_row("token access (no deny list)", count, 0, 0.0))
    return rows
