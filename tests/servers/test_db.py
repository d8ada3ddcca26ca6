"""The SQL layer: one statement text for both dialects, and transactions that roll back."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from authlab.ports import free_port
from servers.db import Database, SQLiteDatabase, _sqlite_sql, open_database, sqlite_path
from servers.errors import StoreUnavailable

TABLE = "db_test_items"


class Boom(Exception):
    pass


@pytest.mark.parametrize(
    ("postgres", "sqlite"),
    [
        ("SELECT 1", "SELECT 1"),
        ("WHERE a = $1", "WHERE a = ?1"),
        ("VALUES ($1, $2, $3)", "VALUES (?1, ?2, ?3)"),
        # Numbers are kept whole, and a placeholder used twice stays one parameter.
        ("$10 + $1", "?10 + ?1"),
        ("balance - $1 WHERE balance >= $1", "balance - ?1 WHERE balance >= ?1"),
    ],
)
def test_placeholder_translation(postgres: str, sqlite: str) -> None:
    assert _sqlite_sql(postgres) == sqlite


def test_sqlite_path() -> None:
    assert sqlite_path("sqlite:///relative.db") == Path("relative.db")
    assert sqlite_path("sqlite:////abs/olute.db") == Path("/abs/olute.db")
    with pytest.raises(ValueError):
        sqlite_path("sqlite://host/db")


@pytest.mark.parametrize("url", ["mysql://localhost/db", "relative.db", "redis://127.0.0.1"])
def test_unsupported_url(url: str) -> None:
    with pytest.raises(ValueError):
        open_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    # A plain fixture: postgres_url runs its own event loop, so it must be
    # requested outside the test's running loop.
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = open_database(database_url)
    # The PostgreSQL database lives for the whole session: start from a clean table.
    await db.execute(f"DROP TABLE IF EXISTS {TABLE}")
    await db.execute(f"CREATE TABLE {TABLE} (name TEXT PRIMARY KEY, value BIGINT NOT NULL)")
    yield db
    await db.execute(f"DROP TABLE IF EXISTS {TABLE}")
    await db.close()


async def names(db: Database) -> list[str]:
    return [row[0] for row in await db.fetchall(f"SELECT name FROM {TABLE} ORDER BY name")]


async def test_execute_counts_changed_rows(database: Database) -> None:
    insert = f"INSERT INTO {TABLE} (name, value) VALUES ($1, $2)"
    assert await database.execute(insert, "a", 1) == 1
    assert await database.execute(insert, "b", 2) == 1
    assert await database.execute(f"UPDATE {TABLE} SET value = value + $1", 10) == 2
    assert await database.execute(f"DELETE FROM {TABLE} WHERE name = $1", "zzz") == 0


async def test_fetch(database: Database) -> None:
    await database.execute(f"INSERT INTO {TABLE} (name, value) VALUES ($1, $2)", "a", 5)
    assert await database.fetchone(f"SELECT name, value FROM {TABLE} WHERE name = $1", "a") == (
        "a",
        5,
    )
    assert await database.fetchone(f"SELECT name FROM {TABLE} WHERE name = $1", "b") is None
    assert await database.fetchall(f"SELECT name FROM {TABLE} WHERE value > $1", 100) == []


async def test_transaction_commits(database: Database) -> None:
    async with database.transaction() as tx:
        await tx.execute(f"INSERT INTO {TABLE} (name, value) VALUES ($1, $2)", "a", 1)
        await tx.execute(f"INSERT INTO {TABLE} (name, value) VALUES ($1, $2)", "b", 2)
        # Inside the transaction its own writes are visible.
        assert await tx.fetchone(f"SELECT COUNT(*) FROM {TABLE}") == (2,)
    assert await names(database) == ["a", "b"]


async def test_transaction_rolls_back_on_error(database: Database) -> None:
    await database.execute(f"INSERT INTO {TABLE} (name, value) VALUES ($1, $2)", "kept", 1)
    with pytest.raises(Boom):
        async with database.transaction() as tx:
            await tx.execute(f"INSERT INTO {TABLE} (name, value) VALUES ($1, $2)", "lost", 1)
            await tx.execute(f"UPDATE {TABLE} SET value = 99 WHERE name = $1", "kept")
            raise Boom
    assert await names(database) == ["kept"]
    assert await database.fetchone(f"SELECT value FROM {TABLE} WHERE name = $1", "kept") == (1,)


async def test_transaction_rolls_back_on_a_failed_statement(database: Database) -> None:
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        async with database.transaction() as tx:
            await tx.execute(f"INSERT INTO {TABLE} (name, value) VALUES ($1, $2)", "a", 1)
            await tx.execute(f"INSERT INTO {TABLE} (name, value) VALUES ($1, $2)", "a", 2)
    assert await names(database) == []
    # The database is usable afterwards: the failed transaction left no lock behind.
    async with database.transaction() as tx:
        await tx.execute(f"INSERT INTO {TABLE} (name, value) VALUES ($1, $2)", "b", 1)
    assert await names(database) == ["b"]


async def test_concurrent_transactions_do_not_interleave(database: Database) -> None:
    # Read-modify-write in a transaction, many at once: no increment may be lost.
    # (SQLite: one connection shared by the coroutines, so a transaction owns it.)
    await database.execute(f"INSERT INTO {TABLE} (name, value) VALUES ($1, $2)", "n", 0)

    async def increment() -> None:
        async with database.transaction() as tx:
            lock = " FOR UPDATE" if database.dialect == "postgresql" else ""
            row = await tx.fetchone(f"SELECT value FROM {TABLE} WHERE name = $1{lock}", "n")
            assert row is not None
            await asyncio.sleep(0)  # give the others every chance to interleave
            await tx.execute(f"UPDATE {TABLE} SET value = $1 WHERE name = $2", row[0] + 1, "n")

    await asyncio.gather(*(increment() for _ in range(20)))
    assert await database.fetchone(f"SELECT value FROM {TABLE} WHERE name = $1", "n") == (20,)


async def test_ping(database: Database) -> None:
    await database.ping()


async def test_postgres_unreachable_is_store_unavailable() -> None:
    # Nothing listens there: refused at once, reported as StoreUnavailable (a 503).
    db = open_database(f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    try:
        async with asyncio.timeout(10):
            with pytest.raises(StoreUnavailable):
                await db.ping()
    finally:
        await db.close()


async def test_sqlite_locked_is_store_unavailable(tmp_path: Path) -> None:
    # A writer in another "process" holds the lock past the busy timeout: the
    # statement fails as StoreUnavailable rather than as an unexpected error.
    path = tmp_path / "locked.sqlite3"
    db = open_database(f"sqlite:///{path}")
    assert isinstance(db, SQLiteDatabase)
    await db.execute("CREATE TABLE t (x INTEGER)")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("PRAGMA busy_timeout=0")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        db._connection.execute("PRAGMA busy_timeout=0")  # fail at once instead of in 10 s
        with pytest.raises(StoreUnavailable):
            await db.execute("INSERT INTO t (x) VALUES ($1)", 1)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        await db.close()


async def test_executemany_inserts_every_row_in_a_transaction(database: Database) -> None:
    await database.execute("CREATE TABLE IF NOT EXISTS bulk (k TEXT PRIMARY KEY, v INTEGER)")
    async with database.transaction() as tx:
        await tx.executemany("INSERT INTO bulk (k, v) VALUES ($1, $2)", [("a", 1), ("b", 2)])
    assert await database.fetchall("SELECT k, v FROM bulk ORDER BY k") == [("a", 1), ("b", 2)]
    await database.execute("DROP TABLE bulk")


async def test_sqlite_reads_do_not_wait_for_a_transaction_and_see_only_commits(
    tmp_path: Path,
) -> None:
    # Reads have a connection of their own: one in flight while this process holds
    # a write transaction answers at once, with what was committed before it.
    database = SQLiteDatabase(tmp_path / "reads.sqlite3")
    try:
        await database.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)")
        await database.execute("INSERT INTO t VALUES ($1, $2)", "a", 1)
        async with database.transaction() as tx:
            await tx.execute("UPDATE t SET v = $1 WHERE k = $2", 2, "a")
            row = await asyncio.wait_for(
                database.fetchone("SELECT v FROM t WHERE k = $1", "a"), timeout=5
            )
            assert row is not None and row[0] == 1  # not the uncommitted 2
        row = await database.fetchone("SELECT v FROM t WHERE k = $1", "a")
        assert row is not None and row[0] == 2  # committed: the reader sees it
    finally:
        await database.close()
