"""argon2id hashing: the configured cost is in the hash, and verify never raises."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters

from servers.config import Argon2Params
from servers.passwords import Passwords
from tests.conftest import FAST_ARGON2, PASSWORD


@pytest.fixture(scope="module")
def passwords() -> Passwords:
    return Passwords(FAST_ARGON2)


async def test_hash_is_argon2id_with_the_configured_cost() -> None:
    params = Argon2Params(memory_kib=2048, time_cost=2, parallelism=2)
    password_hash = await Passwords(params).hash(PASSWORD)
    assert password_hash.startswith("$argon2id$v=19$m=2048,t=2,p=2$")
    parsed = extract_parameters(password_hash)
    assert (parsed.memory_cost, parsed.time_cost, parsed.parallelism) == (2048, 2, 2)


async def test_hashes_are_salted(passwords: Passwords) -> None:
    assert await passwords.hash(PASSWORD) != await passwords.hash(PASSWORD)


def test_hash_sync_matches_the_async_format(passwords: Passwords) -> None:
    assert passwords.hash_sync(PASSWORD).startswith("$argon2id$v=19$m=1024,t=1,p=1$")


async def test_verify_right_password(passwords: Passwords) -> None:
    assert await passwords.verify(await passwords.hash(PASSWORD), PASSWORD) is True


async def test_verify_wrong_password(passwords: Passwords) -> None:
    password_hash = await passwords.hash(PASSWORD)
    assert await passwords.verify(password_hash, PASSWORD + "!") is False
    assert await passwords.verify(password_hash, "") is False


async def test_verify_hash_made_with_other_cost(passwords: Passwords) -> None:
    # After a cost change, hashes made before it must still verify.
    older = Passwords(Argon2Params(memory_kib=2048, time_cost=2, parallelism=1))
    assert await passwords.verify(await older.hash(PASSWORD), PASSWORD) is True


@pytest.mark.parametrize("password", [PASSWORD, "authlab-dummy-password-never-matches", ""])
async def test_unknown_user_never_verifies(passwords: Passwords, password: str) -> None:
    # None stands for an unknown user: verified against a dummy hash (same cost),
    # false even for the dummy's own password.
    assert await passwords.verify(None, password) is False


@pytest.mark.parametrize(
    "password_hash",
    [
        "",
        "not-a-hash",
        "$argon2id$v=19$m=1024,t=1,p=1$garbage",
        "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$",
        "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
    ],
)
async def test_invalid_hash_is_false_not_an_error(passwords: Passwords, password_hash: str) -> None:
    assert await passwords.verify(password_hash, PASSWORD) is False
