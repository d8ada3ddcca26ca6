"""What N live sessions cost in each store, and what the token server keeps beside them.

Sessions are made in bulk through each store's own bulk call (create_many:
the same keys and rows that a login writes, in few round trips), not by
argon2 logins, which would take hours at N = 1M. Memory is read the way each
store would be sized in production: Redis used_memory (and MEMORY USAGE of
one key), the SQLite file, PostgreSQL's relation size, and for in-process
memory the Python allocations (tracemalloc).
"""

from __future__ import annotations

import asyncio
import gc
import secrets
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext
from servers.sessions.session_store import SessionRecord

# Sessions per bulk call: big enough to amortise round trips, small enough
# that a batch of records is a small share of what is being measured.
_BATCH = 2000
_REFRESH_TTL = 14 * 86400


def synthetic_records(count: int) -> list[SessionRecord]:
    """Sessions as a login would make them, for users user000000.. (ids random)."""
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


def batch_sizes(count: int) -> Iterator[int]:
    """Sizes of the batches that make up count."""
    for start in range(0, count, _BATCH):
        yield min(_BATCH, count - start)


async def _create_all(store: Any, count: int) -> tuple[float, str]:
    """Fill a store batch by batch; return the seconds it took and one session id."""
    started = time.perf_counter()
    sample = ""
    for size in batch_sizes(count):
        records = synthetic_records(size)
        sample = records[0].sid
        await store.create_many(records)
    return time.perf_counter() - started, sample


def memory_store(count: int) -> dict[str, Any]:
    from servers.sessions.memory import MemorySessionStore

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    store = MemorySessionStore()
    # Records are made batch by batch inside the trace, so what stays traced
    # is what the store holds: the records and its dict.
    seconds, _ = asyncio.run(_create_all(store, count))
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
            await client.ping()  # the connection exists before memory is read
            before = (await client.info("memory"))["used_memory"]
            seconds, sid = await _create_all(RedisSessionStore(client, prefix), count)
            after = (await client.info("memory"))["used_memory"]
            # Redis's own account of one session key, beside the whole-server delta
            # (which also holds the per-user index sets and the expiry table).
            sample = await client.memory_usage(f"{prefix}session:{sid}")
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
    from servers.tokens.refresh_families import FamilyStart, RefreshFamilies

    async def run() -> tuple[int, float]:
        client = connect_redis(redis_url)
        prefix = f"authlab-scale-{secrets.token_hex(4)}:"
        try:
            await client.ping()
            before = (await client.info("memory"))["used_memory"]
            started = time.perf_counter()
            families = RefreshFamilies(client, prefix)
            denylist = DenyList(client, prefix)
            expires = time.time() + 900
            done = 0
            for size in batch_sizes(count):
                if kind == "refresh":
                    starts = [
                        FamilyStart(f"user{(done + i) % 100_000:06d}", secrets.token_urlsafe(16),
                                    secrets.token_urlsafe(16))
                        for i in range(size)
                    ]  # fmt: skip
                    await families.start_many(starts, _REFRESH_TTL)
                else:
                    await denylist.deny_many(
                        [(secrets.token_urlsafe(16), expires) for _ in range(size)]
                    )
                done += size
            seconds = time.perf_counter() - started
            after = (await client.info("memory"))["used_memory"]
            await _delete_prefix(client, prefix)
            return after - before, seconds
        finally:
            await client.aclose()

    used, seconds = asyncio.run(run())
    name = "token refresh families (redis)" if kind == "refresh" else "token deny list (redis)"
    return _row(name, count, used, seconds)


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
    """SQLite (a fresh file) or PostgreSQL (a fresh table), filled with create_many."""
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
            seconds, _ = await _create_all(store, count)
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
            from authlab.bench.scratch import scratch_postgres

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


@dataclass(frozen=True)
class SessionsAtScaleParams:
    counts: tuple[int, ...] = (1_000, 10_000)  # live sessions in each store, one N at a time


def run(context: ExperimentContext, params: SessionsAtScaleParams) -> None:
    with context.shared_redis() as redis_url:
        for count in params.counts:
            context.say(f"sessions at scale · {count}", progress=False)
            rows = measure((count,), redis_url, context.postgres_url)
            context.write_table("sessions_at_scale", *rows)


EXPERIMENT = Experiment(
    "sessions_at_scale",
    "N live sessions in each store",
    ("sessions_at_scale",),
    SessionsAtScaleParams(),
    run,
)
