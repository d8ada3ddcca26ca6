"""The administrative CLI (users, keys) and serve's argument errors, run as real processes.

Each command runs as `.venv/bin/authlab` in a child process, against the same
SQLite file, key directory or Redis that a live server of the test uses.
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from authlab import cli, commands
from authlab.redis_server import PrivateRedis
from servers.config import Settings
from tests.authlab.processes import FAST_ARGON2_ARGS, run_cli
from tests.conftest import PASSWORD, register_and_login

SEED_PASSWORD = "authlab-load-password"  # the CLI's default for seeded accounts


def database_url(tmp_path: Path) -> str:
    """The SQLite file make_settings gives this test's servers."""
    return f"sqlite:///{tmp_path / 'users.sqlite3'}"


def add_user(tmp_path: Path, name: str, password: str = PASSWORD) -> tuple[int, str, str]:
    result = run_cli(
        "users", "add", name, "--password-stdin", "--database-url", database_url(tmp_path),
        *FAST_ARGON2_ARGS, cwd=tmp_path, stdin=f"{password}\n",
    )  # fmt: skip
    return result.returncode, result.stdout, result.stderr


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/login", json={"username": username, "password": password})


def fresh_login(url: str, username: str) -> int:
    """A login from a new client, holding no credential yet: its status."""
    with httpx.Client(base_url=url) as client:
        return login(client, username).status_code


def assert_clean_error(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "Error" in stderr or "authlab:" in stderr


# --- users add -------------------------------------------------------------------------


def test_users_add_then_login(
    tmp_path: Path, make_settings: Callable[..., Settings], live_server: Callable[[Settings], str]
) -> None:
    status, stdout, _ = add_user(tmp_path, "alice")
    assert status == 0
    assert stdout.strip() == "added alice"
    with sqlite3.connect(tmp_path / "users.sqlite3") as db:
        (stored,) = db.execute(
            "SELECT password_hash FROM users WHERE username = 'alice'"
        ).fetchone()
    # argon2id with the cost the command was given, never the password itself.
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,")
    assert PASSWORD not in stored
    url = live_server(make_settings(variant="session", store="memory"))
    with httpx.Client(base_url=url) as client:
        assert login(client, "alice").status_code == 200
        assert login(client, "alice", "wrong password!").status_code == 401


def test_users_add_duplicate_is_exit_1_with_a_message(tmp_path: Path) -> None:
    assert add_user(tmp_path, "alice")[0] == 0
    status, stdout, stderr = add_user(tmp_path, "alice", "another password")
    assert status == 1
    assert "'alice' already exists" in stderr
    assert "added" not in stdout
    assert_clean_error(stderr)


@pytest.mark.parametrize("name", ["a b", "ab", "x" * 65, "alice;drop", "ünï"])
def test_users_add_invalid_name_is_exit_2(tmp_path: Path, name: str) -> None:
    status, _, stderr = add_user(tmp_path, name)
    assert status == 2
    assert "3-64" in stderr
    assert_clean_error(stderr)


@pytest.mark.parametrize("password", ["short", ""])
def test_users_add_short_password_is_exit_2(tmp_path: Path, password: str) -> None:
    status, _, stderr = add_user(tmp_path, "alice", password)
    assert status == 2
    assert "8-1024 characters" in stderr
    assert_clean_error(stderr)
    # Nothing was written: the name is still free.
    assert add_user(tmp_path, "alice")[0] == 0


# --- users seed ------------------------------------------------------------------------


def test_users_seed_is_idempotent_and_the_accounts_log_in(
    tmp_path: Path, make_settings: Callable[..., Settings], live_server: Callable[[Settings], str]
) -> None:
    def seed() -> str:
        result = run_cli(
            "users", "seed", "50", "--database-url", database_url(tmp_path), *FAST_ARGON2_ARGS,
            cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert seed() == "seeded 50 new users (0 existed already)"
    assert seed() == "seeded 0 new users (50 existed already)"
    with sqlite3.connect(tmp_path / "users.sqlite3") as db:
        names = [row[0] for row in db.execute("SELECT username FROM users ORDER BY username")]
    assert names == [f"user{index:06d}" for index in range(50)]
    url = live_server(make_settings(variant="session", store="memory"))
    with httpx.Client(base_url=url) as client:
        assert login(client, "user000049", SEED_PASSWORD).status_code == 200
        assert login(client, "user000050", SEED_PASSWORD).status_code == 401


# --- users disable / enable ------------------------------------------------------------


def disable(tmp_path: Path, name: str, *extra: str) -> tuple[int, list[str], str]:
    result = run_cli(
        "users", "disable", name, "--database-url", database_url(tmp_path), *extra, cwd=tmp_path
    )
    return result.returncode, result.stdout.splitlines(), result.stderr


def enable(tmp_path: Path, name: str) -> tuple[int, list[str], str]:
    result = run_cli(
        "users", "enable", name, "--database-url", database_url(tmp_path), cwd=tmp_path
    )
    return result.returncode, result.stdout.splitlines(), result.stderr


def test_disable_without_redis_url_blocks_logins_and_says_what_it_did_not_reach(
    tmp_path: Path, make_settings: Callable[..., Settings], live_server: Callable[[Settings], str]
) -> None:
    url = live_server(make_settings(variant="session", store="redis"))
    with httpx.Client(base_url=url) as client:
        register_and_login(client)
        status, lines, _ = disable(tmp_path, "alice")
        assert status == 0
        assert lines[0] == "disabled alice"
        assert "  credentials ended in: sql sessions" in lines
        assert "  not reached: redis (no --redis-url given)" in lines
        # The server shares the SQLite file: the next login is refused, same as a wrong password.
        with httpx.Client(base_url=url) as other:
            refused = login(other, "alice")
        assert refused.status_code == 401
        assert refused.json() == {"error": "invalid_credentials"}
        # As reported, the Redis session was not reached: it lives on until its timeout.
        assert client.get("/me").status_code == 200

        status, lines, _ = enable(tmp_path, "alice")
        assert (status, lines) == (0, ["enabled alice"])
        assert fresh_login(url, "alice") == 200


def test_disable_ends_sql_sessions(
    tmp_path: Path, make_settings: Callable[..., Settings], live_server: Callable[[Settings], str]
) -> None:
    url = live_server(make_settings(variant="session", store="sql"))
    with httpx.Client(base_url=url) as client:
        register_and_login(client)
        assert client.get("/me").status_code == 200
        assert disable(tmp_path, "alice")[0] == 0
        assert client.get("/me").status_code == 401


@pytest.fixture
def cli_redis() -> Iterator[PrivateRedis]:
    """A Redis of this test's own: CLI-started servers use the default key prefix."""
    with PrivateRedis() as private:
        yield private


def test_disable_with_redis_url_ends_live_sessions_and_tokens(
    tmp_path: Path,
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
    cli_redis: PrivateRedis,
) -> None:
    common = {"redis_url": cli_redis.url, "redis_prefix": Settings().redis_prefix}
    session_url = live_server(make_settings(variant="session", store="redis", **common))
    token_url = live_server(make_settings(variant="token", revocation="denylist", **common))
    with httpx.Client(base_url=session_url) as sessions, httpx.Client(base_url=token_url) as tokens:
        register_and_login(sessions)
        granted = register_and_login(tokens).json()
        bearer = {"authorization": f"Bearer {granted['access_token']}"}
        assert sessions.get("/me").status_code == 200
        assert tokens.get("/me", headers=bearer).status_code == 200

        status, lines, _ = disable(tmp_path, "alice", "--redis-url", cli_redis.url)
        assert status == 0
        assert "  credentials ended in: redis sessions, refresh tokens, token deny list" in lines
        assert sessions.get("/me").status_code == 401
        assert tokens.get("/me", headers=bearer).status_code == 401
        refreshed = tokens.post("/refresh", json={"refresh_token": granted["refresh_token"]})
        assert refreshed.status_code == 401


def test_disable_with_unreachable_redis_reports_it(
    tmp_path: Path, make_settings: Callable[..., Settings], live_server: Callable[[Settings], str]
) -> None:
    assert add_user(tmp_path, "alice")[0] == 0
    with PrivateRedis() as gone_redis:
        dead_url = gone_redis.url
    status, lines, stderr = disable(tmp_path, "alice", "--redis-url", dead_url)
    assert status == 0, stderr
    assert "Traceback" not in stderr
    assert any(line.startswith("  not reached: redis (redis is unreachable") for line in lines)
    url = live_server(make_settings(variant="session", store="memory"))
    assert fresh_login(url, "alice") == 401


def test_disable_or_enable_an_unknown_user_is_exit_1(tmp_path: Path) -> None:
    assert add_user(tmp_path, "alice")[0] == 0
    for command in (disable, enable):
        status, lines, stderr = command(tmp_path, "nobody")
        assert status == 1
        assert "no user 'nobody'" in stderr
        assert lines == []


# --- keys rotate -----------------------------------------------------------------------


def test_keys_rotate_adds_a_key_and_old_tokens_still_verify(
    tmp_path: Path, make_settings: Callable[..., Settings], live_server: Callable[[Settings], str]
) -> None:
    settings = make_settings(variant="token", alg="HS256")
    key_dir = tmp_path / "keys" / "jwt-HS256"
    first_url = live_server(settings)
    with httpx.Client(base_url=first_url) as client:
        old_token = register_and_login(client).json()["access_token"]
    keys_before = sorted(key_dir.iterdir())

    result = run_cli("keys", "rotate", "HS256", "--key-dir", settings.key_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    keys_after = sorted(key_dir.iterdir())
    (added,) = set(keys_after) - set(keys_before)
    assert set(keys_before) < set(keys_after)
    assert f"new HS256 key: {added}" in result.stdout

    # A server started after the rotation signs with the new key and still accepts the old.
    second_url = live_server(settings)
    with httpx.Client(base_url=second_url) as client:
        new_token = register_and_login(client).json()["access_token"]
        assert (
            jwt.get_unverified_header(new_token)["kid"]
            != (jwt.get_unverified_header(old_token)["kid"])
        )
        for token in (old_token, new_token):
            me = client.get("/me", headers={"authorization": f"Bearer {token}"})
            assert me.status_code == 200


def test_keys_rotate_unknown_alg_is_exit_2(tmp_path: Path) -> None:
    result = run_cli("keys", "rotate", "none", "--key-dir", str(tmp_path / "keys"), cwd=tmp_path)
    assert result.returncode == 2
    assert_clean_error(result.stderr)
    assert not (tmp_path / "keys").exists()


# --- serve: bad arguments are clear errors before anything starts ----------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "session", "--store", "bogus"], "'bogus' is not one of"),
        (["serve", "token", "--alg", "none"], "'none' is not one of"),
        (["serve", "session", "--database-url", "mysql://x/y"], "sqlite:///PATH"),
        (["serve", "token", "--redis-url", "http://127.0.0.1:6379"], "redis://"),
        (["users", "add", "alice", "--database-url", "users.db"], "sqlite:///PATH"),
        (["users", "seed", "1", "--argon2-time-cost", "0"], "--argon2-time-cost': Input"),
    ],
    ids=["store", "alg", "database-url", "redis-url", "users-database-url", "users-argon2"],
)
def test_bad_arguments_are_clear_errors_without_a_traceback(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    result = run_cli(*args, cwd=tmp_path, stdin=f"{PASSWORD}\n")
    assert result.returncode == 2
    assert expected in " ".join(result.stderr.split())  # rich wraps long messages
    assert_clean_error(result.stderr)
    assert "private redis-server" not in result.stderr  # nothing was started
    assert list(tmp_path.iterdir()) == []  # and nothing was made


def test_unreachable_database_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = run_cli(
        "users", "seed", "3", "--database-url", "postgresql://postgres@127.0.0.1:1/none",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert "postgresql is unreachable" in result.stderr
    assert "Traceback" not in result.stderr


# --- the assembly: one module per command, each of them in the CLI ------------------------


def test_every_command_module_is_in_the_cli_once() -> None:
    modules = sorted(path.stem for path in Path(commands.__file__).parent.glob("cmd_*.py"))
    parts = [*cli.COMMANDS.values(), *cli.GROUPS.values()]
    for name in modules:
        module = importlib.import_module(f"authlab.commands.{name}")
        given = [part for part in vars(module).values() if any(part is p for p in parts)]
        assert len(given) == 1, f"{name} gives the CLI {given}"
    assert len(parts) == len(modules)
    names = {info.name for info in cli.app.registered_commands} | {
        info.name for info in cli.app.registered_groups
    }
    assert names == {
        "serve", "users", "keys", "bench", "flamegraph", "report", "compare", "security",
        "browsers", "explore", "notebook",
    }  # fmt: skip


def test_the_command_line_loads_no_server_or_load_stack_before_a_command_runs() -> None:
    """Every lab server starts as `python -m authlab serve` (the bench's, the security lab's,
    the topology's): what the CLI imports before a command runs, each of them pays."""
    import subprocess
    import sys

    heavy = ("redis", "httpx", "uvicorn", "pandas", "matplotlib", "locust", "sqlalchemy")
    probe = f"import sys, authlab.cli; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert loaded == []
