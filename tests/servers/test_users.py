"""SQLUserStore on SQLite and on PostgreSQL: the same statements, the same behaviour."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from servers.users import INITIAL_BALANCE, SQLUserStore, TransferRefused, open_user_store

HASH = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
# The store takes the rows in name order, so a refusal can come in the first or
# the second step: each refusal is tried with the sender's name before and after.
SENDERS = pytest.mark.parametrize("sender", ["alice", "zed"])


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'users.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def open_store(database_url: str) -> AsyncIterator[Callable[[], SQLUserStore]]:
    """Open stores on the test's database, as separate server processes would; all close."""
    opened: list[SQLUserStore] = []

    def open_one() -> SQLUserStore:
        store = open_user_store(database_url)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        await store.close()


@pytest.fixture
async def users(open_store: Callable[[], SQLUserStore]) -> SQLUserStore:
    store = open_store()
    await store.initialise()
    return store


async def balance(store: SQLUserStore, username: str) -> int:
    user = await store.get(username)
    assert user is not None
    return user.balance


async def test_create_and_get(users: SQLUserStore) -> None:
    assert await users.create("alice", HASH) is True
    user = await users.get("alice")
    assert user is not None
    assert user.username == "alice"
    assert user.password_hash == HASH
    assert user.roles == ("user",)
    assert user.balance == INITIAL_BALANCE
    assert user.disabled is False
    assert user.credentials_changed_at == 0


async def test_duplicate_name_is_refused(users: SQLUserStore) -> None:
    assert await users.create("alice", HASH) is True
    assert await users.create("alice", "another-hash") is False
    user = await users.get("alice")
    assert user is not None
    assert user.password_hash == HASH  # the first owner keeps the account


async def test_unknown_user_is_none(users: SQLUserStore) -> None:
    assert await users.get("nobody") is None


async def test_initialise_twice_keeps_the_users(users: SQLUserStore) -> None:
    # Every worker process initialises on start-up; that must not wipe anything.
    await users.create("alice", HASH)
    await users.initialise()
    assert await users.get("alice") is not None


async def test_set_password_marks_the_credentials_changed(users: SQLUserStore) -> None:
    await users.create("alice", HASH)
    before = time.time()
    await users.set_password("alice", "new-hash")
    user = await users.get("alice")
    assert user is not None
    assert user.password_hash == "new-hash"
    assert user.credentials_changed_at >= before


async def test_set_disabled(users: SQLUserStore) -> None:
    await users.create("alice", HASH)
    assert await users.set_disabled("alice", True) is True
    user = await users.get("alice")
    assert user is not None
    assert user.disabled is True
    assert user.credentials_changed_at > 0
    assert await users.set_disabled("alice", False) is True
    user = await users.get("alice")
    assert user is not None
    assert user.disabled is False


async def test_set_disabled_unknown_user_is_false(users: SQLUserStore) -> None:
    assert await users.set_disabled("nobody", True) is False


async def test_transfer_moves_money(users: SQLUserStore) -> None:
    await users.create("alice", HASH)
    await users.create("bob", HASH)
    assert await users.transfer("alice", "bob", 250) == INITIAL_BALANCE - 250
    assert await balance(users, "alice") == INITIAL_BALANCE - 250
    assert await balance(users, "bob") == INITIAL_BALANCE + 250


async def test_transfer_of_the_whole_balance(users: SQLUserStore) -> None:
    await users.create("alice", HASH)
    await users.create("bob", HASH)
    assert await users.transfer("alice", "bob", INITIAL_BALANCE) == 0


@SENDERS
async def test_insufficient_funds(users: SQLUserStore, sender: str) -> None:
    await users.create(sender, HASH)
    await users.create("bob", HASH)
    with pytest.raises(TransferRefused) as refused:
        await users.transfer(sender, "bob", INITIAL_BALANCE + 1)
    assert refused.value.reason == "insufficient_funds"
    assert await balance(users, sender) == INITIAL_BALANCE
    assert await balance(users, "bob") == INITIAL_BALANCE


@SENDERS
async def test_unknown_recipient_rolls_back_the_debit(users: SQLUserStore, sender: str) -> None:
    await users.create(sender, HASH)
    with pytest.raises(TransferRefused) as refused:
        await users.transfer(sender, "ghost", 100)
    assert refused.value.reason == "unknown_recipient"
    # The debit ran inside the transaction (first for alice); the refusal undid it.
    assert await balance(users, sender) == INITIAL_BALANCE


@SENDERS
async def test_disabled_sender_cannot_transfer(users: SQLUserStore, sender: str) -> None:
    await users.create(sender, HASH)
    await users.create("bob", HASH)
    await users.set_disabled(sender, True)
    with pytest.raises(TransferRefused) as refused:
        await users.transfer(sender, "bob", 100)
    assert refused.value.reason == "account_disabled"
    # For zed the credit to bob ran first; the refusal undid it.
    assert await balance(users, sender) == INITIAL_BALANCE
    assert await balance(users, "bob") == INITIAL_BALANCE


async def test_unknown_sender_cannot_transfer(users: SQLUserStore) -> None:
    await users.create("bob", HASH)
    with pytest.raises(TransferRefused):
        await users.transfer("ghost", "bob", 100)
    assert await balance(users, "bob") == INITIAL_BALANCE


async def test_create_many_skips_existing_names(users: SQLUserStore) -> None:
    await users.create("user-1", "kept-hash")
    names = [f"user-{number}" for number in range(50)]
    assert await users.create_many(names, HASH) == 49
    assert await users.create_many(names, HASH) == 0
    for name in names:
        assert await users.get(name) is not None
    kept = await users.get("user-1")
    assert kept is not None
    assert kept.password_hash == "kept-hash"


async def test_ping(users: SQLUserStore) -> None:
    await users.ping()


async def test_concurrent_transfers_keep_the_total(
    users: SQLUserStore, open_store: Callable[[], SQLUserStore]
) -> None:
    # Two stores on one database, like two server processes (SQLite: one WAL file).
    # Transfers run both ways between the same accounts, which is what would
    # deadlock or lose an update if the store locked or read carelessly.
    second = open_store()
    await second.initialise()
    names = [f"user-{number}" for number in range(4)]
    await users.create_many(names, HASH)

    pairs = list(itertools.permutations(names, 2))
    jobs = [
        (users if index % 2 else second).transfer(sender, recipient, 1 + index % 7)
        for index, (sender, recipient) in enumerate(pairs * 10)
    ]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    assert failures == []
    balances = [await balance(users, name) for name in names]
    assert sum(balances) == len(names) * INITIAL_BALANCE


async def test_concurrent_transfers_never_overdraw(
    users: SQLUserStore, open_store: Callable[[], SQLUserStore]
) -> None:
    # Five transfers of 40% each, at once, from two processes: exactly two can be covered.
    second = open_store()
    await second.initialise()
    await users.create_many(["alice", "bob"], HASH)
    amount = INITIAL_BALANCE * 2 // 5
    results = await asyncio.gather(
        *((users if index % 2 else second).transfer("alice", "bob", amount) for index in range(5)),
        return_exceptions=True,
    )
    refused = [result for result in results if isinstance(result, TransferRefused)]
    assert len(refused) == 3
    assert {error.reason for error in refused} == {"insufficient_funds"}
    assert await balance(users, "alice") == INITIAL_BALANCE - 2 * amount
    assert await balance(users, "bob") == INITIAL_BALANCE + 2 * amount
