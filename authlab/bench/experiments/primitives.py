"""The parts end-to-end numbers are made of, timed in this process.

Each primitive runs in batches; the median batch is reported (microseconds
per operation), with the spread, so that a noisy moment on a shared machine
does not pass for the cost.
"""

from __future__ import annotations

import asyncio
import functools
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import Signer

from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext
from results_format import primitive_ids
from servers.config import ALGORITHMS, Argon2Params
from servers.strategies.session import SESSION_SALT


def _batch_summary(per_op: list[float], iterations: int) -> dict[str, float]:
    """Microseconds per operation: the median batch, with the fastest and slowest."""
    return {
        "us_per_op": statistics.median(per_op),
        "us_min": min(per_op),
        "us_max": max(per_op),
        "iterations": iterations * len(per_op),
    }


def _time(operation: Callable[[], object], iterations: int, batches: int = 5) -> dict[str, float]:
    per_op = []
    for _ in range(batches):
        started = time.perf_counter()
        for _ in range(iterations):
            operation()
        per_op.append((time.perf_counter() - started) / iterations * 1e6)
    return _batch_summary(per_op, iterations)


async def _time_async(
    make: Callable[[], Awaitable[object]], iterations: int, batches: int = 5
) -> dict[str, float]:
    """As _time, for a coroutine; call it inside the event loop that owns its clients."""
    per_op = []
    for _ in range(batches):
        started = time.perf_counter()
        for _ in range(iterations):
            await make()
        per_op.append((time.perf_counter() - started) / iterations * 1e6)
    return _batch_summary(per_op, iterations)


async def _redis_get_async(redis_url: str, iterations: int) -> dict[str, float]:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        return await _time_async(lambda: client.get("authlab:primitive"), iterations)
    finally:
        await client.aclose()


def measure(
    redis_url: str | None, iterations: int, postgres_url: str | None = None
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(group: str, name: str, result: dict[str, float]) -> None:
        rows.append({"group": group, "primitive": name, **result})

    signer = Signer([b"k" * 64], salt=SESSION_SALT)
    signed = signer.sign("x" * 43)
    add(
        "credential check",
        primitive_ids.label(primitive_ids.UNSIGN_SESSION_ID, primitive_ids.UNSIGN_DETAIL),
        _time(lambda: signer.unsign(signed), iterations),
    )

    with tempfile.TemporaryDirectory() as keys:
        from servers.tokens.codec import ACCESS_TYPE, TokenCodec
        from servers.tokens.keys import KeyRing

        for alg in ALGORITHMS:
            codec = TokenCodec(KeyRing.load(Path(keys), alg), "authlab", "authlab-api")
            token = codec.issue("user000001", ACCESS_TYPE, 900, roles=["user"]).token
            add(
                "credential check",
                primitive_ids.label(primitive_ids.jwt_verify(alg), primitive_ids.JWT_VERIFY_DETAIL),
                _time(functools.partial(codec.decode, token, ACCESS_TYPE), iterations),
            )
            add(
                "credential issue",
                primitive_ids.jwt_sign(alg),
                _time(
                    functools.partial(codec.issue, "user000001", ACCESS_TYPE, 900),
                    max(1, iterations // 4),
                ),
            )

    if redis_url:
        import redis

        client = redis.Redis.from_url(redis_url)
        client.set("authlab:primitive", "x" * 200)
        add(
            "store lookup",
            primitive_ids.label(primitive_ids.REDIS_GET_SYNC, primitive_ids.REDIS_DETAIL),
            _time(lambda: client.get("authlab:primitive"), iterations),
        )
        client.close()

        add(
            "store lookup",
            primitive_ids.label(primitive_ids.REDIS_GET_ASYNC, primitive_ids.REDIS_DETAIL),
            asyncio.run(_redis_get_async(redis_url, iterations)),
        )

    rows.extend(_sql_lookups(iterations, postgres_url))

    from servers.passwords import Passwords

    passwords = Passwords(Argon2Params())
    password_hash = passwords.hash_sync("authlab-load-password")
    add(
        "login",
        "argon2id verify (OWASP m=19MiB t=2 p=1)",
        _time(lambda: passwords._verify_sync(password_hash, "authlab-load-password"), 3, batches=3),
    )
    return rows


def _sql_lookups(iterations: int, postgres_url: str | None) -> list[dict[str, Any]]:
    if postgres_url:
        from authlab.bench.scratch import scratch_postgres

        try:
            with scratch_postgres(postgres_url) as scratch_url:
                return _sql_lookups_in(iterations, scratch_url)
        except OSError as error:
            rows = _sql_lookups_in(iterations, None)
            rows.append(
                {
                    "group": "store lookup",
                    "primitive": "PostgreSQL session lookup (asyncpg)",
                    "error": str(error),
                }
            )
            return rows
    return _sql_lookups_in(iterations, None)


def _sql_lookups_in(iterations: int, postgres_url: str | None) -> list[dict[str, Any]]:
    from servers.db import open_database
    from servers.sessions.session_store import SessionRecord
    from servers.sessions.sql import SQLSessionStore

    rows: list[dict[str, Any]] = []
    urls = []
    with tempfile.TemporaryDirectory() as directory:
        urls.append(
            (
                primitive_ids.label(
                    primitive_ids.SQLITE_SESSION_LOOKUP, "sqlite3 in a worker thread"
                ),
                f"sqlite:///{directory}/p.db",
            )
        )
        if postgres_url:
            urls.append(("PostgreSQL session lookup (asyncpg)", postgres_url))
        for name, url in urls:

            async def setup_and_time(url: str = url) -> dict[str, float]:
                database = open_database(url)
                store = SQLSessionStore(database)
                await store.initialise()
                now = time.time()
                record = SessionRecord(
                    "primitive-sid", "user000001", ("user",), now, now + 3600, now + 7200
                )
                await store.delete("primitive-sid")
                await store.create(record)
                try:
                    return await _time_async(lambda: store.get("primitive-sid"), iterations)
                finally:
                    await store.delete("primitive-sid")
                    await database.close()

            try:
                result = asyncio.run(setup_and_time())
            except Exception as error:
                rows.append({"group": "store lookup", "primitive": name, "error": str(error)})
                continue
            rows.append({"group": "store lookup", "primitive": name, **result})
    return rows


@dataclass(frozen=True)
class PrimitivesParams:
    iterations: int = 2000  # timed calls per building block (in batches)


def run(context: ExperimentContext, params: PrimitivesParams) -> None:
    with context.shared_redis() as redis_url:
        rows = measure(redis_url, params.iterations, context.postgres_url)
    context.write_table("primitives", *rows)


EXPERIMENT = Experiment(
    "primitives", "what each building block costs alone", ("primitives",), PrimitivesParams(), run
)
