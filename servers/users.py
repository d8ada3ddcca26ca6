"""The one user store both variants share: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from servers.db import Database, Executor, open_database
from servers.errors import Rejected

INITIAL_BALANCE = 1_000_000
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        roles TEXT NOT NULL DEFAULT 'user',
        balance BIGINT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        credentials_changed_at DOUBLE PRECISION NOT NULL DEFAULT 0
    )""",
)


@dataclass(frozen=True)
class User:
    username: str
    password_hash: str
    roles: tuple[str, ...]
    balance: int
    disabled: bool
    credentials_changed_at: float


class TransferRefused(Rejected):
    """A transfer that the bank refuses: unknown recipient, funds, disabled account."""


class SQLUserStore:
    """Users in one SQL table; the same statements serve SQLite and PostgreSQL."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def initialise(self) -> None:
        for statement in SCHEMA:
            await self.database.execute(statement)

    async def create(self, username: str, password_hash: str) -> bool:
        changed = await self.database.execute(
            "INSERT INTO users (username, password_hash, balance) VALUES ($1, $2, $3) "
            "ON CONFLICT (username) DO NOTHING",
            username,
            password_hash,
            INITIAL_BALANCE,
        )
        return changed == 1

    async def create_many(self, usernames: Iterable[str], password_hash: str) -> int:
        created = 0
        async with self.database.transaction() as tx:
            for username in usernames:
                created += await tx.execute(
                    "INSERT INTO users (username, password_hash, balance) VALUES ($1, $2, $3) "
                    "ON CONFLICT (username) DO NOTHING",
                    username,
                    password_hash,
                    INITIAL_BALANCE,
                )
        return created

    async def get(self, username: str) -> User | None:
        row = await self.database.fetchone(
            "SELECT username, password_hash, roles, balance, disabled, credentials_changed_at "
            "FROM users WHERE username = $1",
            username,
        )
        if row is None:
            return None
        return User(
            username=row[0],
            password_hash=row[1],
            roles=tuple(role for role in str(row[2]).split(",") if role),
            balance=int(row[3]),
            disabled=bool(row[4]),
            credentials_changed_at=float(row[5]),
        )

    async def set_password(self, username: str, password_hash: str) -> None:
        await self.database.execute(
            "UPDATE users SET password_hash = $1, credentials_changed_at = $2 WHERE username = $3",
            password_hash,
            time.time(),
            username,
        )

    async def set_disabled(self, username: str, disabled: bool) -> bool:
        changed = await self.database.execute(
            "UPDATE users SET disabled = $1, credentials_changed_at = $2 WHERE username = $3",
            int(disabled),
            time.time(),
            username,
        )
        return changed == 1

    async def transfer(self, sender: str, recipient: str, amount: int) -> int:
        async with self.database.transaction() as tx:
            # Rows are locked in name order whichever way the money flows: two
            # opposite transfers between the same accounts would otherwise each
            # hold one row and wait for the other (PostgreSQL aborts one of them
            # as a deadlock). A refusal in either step rolls back the other.
            if recipient < sender:
                await _credit(tx, recipient, amount)
                await _debit(tx, sender, amount)
            else:
                await _debit(tx, sender, amount)
                await _credit(tx, recipient, amount)
            row = await tx.fetchone("SELECT balance FROM users WHERE username = $1", sender)
        assert row is not None
        return int(row[0])

    async def ping(self) -> None:
        await self.database.ping()

    async def close(self) -> None:
        await self.database.close()


async def _debit(tx: Executor, sender: str, amount: int) -> None:
    debited = await tx.execute(
        "UPDATE users SET balance = balance - $1 "
        "WHERE username = $2 AND disabled = 0 AND balance >= $1",
        amount,
        sender,
    )
    if debited != 1:
        row = await tx.fetchone("SELECT disabled FROM users WHERE username = $1", sender)
        raise TransferRefused("account_disabled" if row is None or row[0] else "insufficient_funds")


async def _credit(tx: Executor, recipient: str, amount: int) -> None:
    credited = await tx.execute(
        "UPDATE users SET balance = balance + $1 WHERE username = $2", amount, recipient
    )
    if credited != 1:
        raise TransferRefused("unknown_recipient")


def open_user_store(database_url: str) -> SQLUserStore:
    return SQLUserStore(open_database(database_url))
