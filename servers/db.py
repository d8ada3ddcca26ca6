"""A small async SQL layer over SQLite (default) and PostgreSQL (asyncpg).

Statements are written once with PostgreSQL's numbered placeholders ($1, $2);
SQLite understands the same numbers written as ?1, ?2, so one text serves both.
"""

from __future__ import annotations

import asyncio
import functools
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import anyio.to_thread

from servers.errors import StoreUnavailable

Row = tuple[Any, ...]
_PLACEHOLDER = re.compile(r"\$(\d+)")


class Executor(Protocol):
    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; return the number of rows it changed."""

    async def fetchone(self, sql: str, *args: Any) -> Row | None: ...

    async def fetchall(self, sql: str, *args: Any) -> list[Row]: ...

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for many rows in one round trip (bulk loads)."""


class Database(Executor, Protocol):
    dialect: str

    def transaction(self) -> Any:
        """An async context manager yielding an Executor inside one transaction."""

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


@functools.cache  # the statements are the code's own constants: a few dozen at most
def _sqlite_sql(sql: str) -> str:
    return _PLACEHOLDER.sub(r"?\1", sql)


def sqlite_path(url: str) -> Path:
    """sqlite:///relative.db, sqlite:////absolute.db -> the file's path."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a sqlite URL: {url!r} (expected sqlite:///path)")
    return Path(url[len("sqlite:///") :])


class _SQLiteCursor:
    """Runs statements on one shared connection in a worker thread."""

    def __init__(self, connection: sqlite3.Connection, lock: threading.Lock) -> None:
        self._connection = connection
        self._lock = lock

    def _run(self, sql: str, args: Sequence[Any], fetch: str) -> Any:
        with self._lock:
            try:
                cursor = self._connection.execute(_sqlite_sql(sql), tuple(args))
                if fetch == "one":
                    return cursor.fetchone()
                if fetch == "all":
                    return cursor.fetchall()
                return cursor.rowcount
            except sqlite3.OperationalError as error:
                raise StoreUnavailable("sqlite", error) from error

    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._lock:
            try:
                self._connection.executemany(_sqlite_sql(sql), [tuple(row) for row in rows])
            except sqlite3.OperationalError as error:
                raise StoreUnavailable("sqlite", error) from error

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    async def execute(self, sql: str, *args: Any) -> int:
        result: int = await anyio.to_thread.run_sync(self._run, sql, args, "count")
        return result

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await anyio.to_thread.run_sync(self._run_many, sql, rows)

    async def fetchone(self, sql: str, *args: Any) -> Row | None:
        row: Row | None = await anyio.to_thread.run_sync(self._run, sql, args, "one")
        return row

    async def fetchall(self, sql: str, *args: Any) -> list[Row]:
        rows: list[Row] = await anyio.to_thread.run_sync(self._run, sql, args, "all")
        return rows


def sqlite_connection(path: Path) -> sqlite3.Connection:
    """A connection as the lab opens every SQLite file: WAL, shared by threads."""
    # isolation_level=None: autocommit, transactions are explicit (BEGIN IMMEDIATE).
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10.0)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA busy_timeout=10000")
    return connection


class SQLiteDatabase:
    """SQLite in WAL mode: several server processes can read while one writes.

    Two connections: one that writes (statements and transactions, in turn) and
    one that only reads. A read never queues behind this process's writes, as WAL
    allows: it sees what was last committed, as any other process would.
    """

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite_connection(path)
        self._cursor = _SQLiteCursor(self._connection, threading.Lock())
        # The coroutines of this process share the writing connection, so a
        # transaction must own it for its whole length: every write takes this
        # lock. Other processes wait on SQLite's own lock (BEGIN IMMEDIATE).
        self._lock = asyncio.Lock()
        # Reads need no such lock: a single statement is atomic, and the thread
        # lock inside _SQLiteCursor keeps one statement at a time on it.
        self._reader = _SQLiteCursor(sqlite_connection(path), threading.Lock())

    async def execute(self, sql: str, *args: Any) -> int:
        async with self._lock:
            return await self._cursor.execute(sql, *args)

    async def fetchone(self, sql: str, *args: Any) -> Row | None:
        return await self._reader.fetchone(sql, *args)

    async def fetchall(self, sql: str, *args: Any) -> list[Row]:
        return await self._reader.fetchall(sql, *args)

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        async with self._lock:
            await self._cursor.executemany(sql, rows)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        async with self._lock:
            await self._cursor.execute("BEGIN IMMEDIATE")
            try:
                yield self._cursor
            except BaseException:
                await self._cursor.execute("ROLLBACK")
                raise
            await self._cursor.execute("COMMIT")

    async def ping(self) -> None:
        await self.fetchone("SELECT 1")

    async def close(self) -> None:
        async with self._lock:
            # After any read still running in its thread (it holds the reader's lock).
            await anyio.to_thread.run_sync(self._reader.close)
            self._connection.close()


class _PostgresExecutor:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    async def execute(self, sql: str, *args: Any) -> int:
        status: str = await self._connection.execute(sql, *args)
        # asyncpg answers with the command tag, e.g. "UPDATE 1" or "INSERT 0 1".
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def fetchone(self, sql: str, *args: Any) -> Row | None:
        record = await self._connection.fetchrow(sql, *args)
        return tuple(record) if record is not None else None

    async def fetchall(self, sql: str, *args: Any) -> list[Row]:
        return [tuple(record) for record in await self._connection.fetch(sql, *args)]

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._connection.executemany(sql, rows)


class PostgresDatabase:
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self._url = url
        self._pool: Any = None
        self._pool_lock = asyncio.Lock()

    async def _get_pool(self) -> Any:
        import asyncpg

        async with self._pool_lock:
            if self._pool is None:
                try:
                    self._pool = await asyncpg.create_pool(
                        self._url, min_size=1, max_size=10, timeout=5
                    )
                except (OSError, asyncpg.PostgresError) as error:
                    raise StoreUnavailable("postgresql", error) from error
            return self._pool

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        import asyncpg

        pool = await self._get_pool()
        try:
            async with pool.acquire() as connection:
                yield connection
        except (OSError, asyncpg.exceptions.ConnectionDoesNotExistError) as error:
            raise StoreUnavailable("postgresql", error) from error

    async def execute(self, sql: str, *args: Any) -> int:
        async with self._connection() as connection:
            return await _PostgresExecutor(connection).execute(sql, *args)

    async def fetchone(self, sql: str, *args: Any) -> Row | None:
        async with self._connection() as connection:
            return await _PostgresExecutor(connection).fetchone(sql, *args)

    async def fetchall(self, sql: str, *args: Any) -> list[Row]:
        async with self._connection() as connection:
            return await _PostgresExecutor(connection).fetchall(sql, *args)

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        async with self._connection() as connection:
            await _PostgresExecutor(connection).executemany(sql, rows)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        async with self._connection() as connection, connection.transaction():
            yield _PostgresExecutor(connection)

    async def ping(self) -> None:
        await self.fetchone("SELECT 1")

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def open_database(url: str) -> Database:
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return SQLiteDatabase(sqlite_path(url))
    if scheme in ("postgresql", "postgres"):
        return PostgresDatabase(url)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://...")
