"""Target files: the Node pair parses; a missing or contradictory field is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from authlab.bench.target_file import TargetFileError, load_target, parse_target

REPO = Path(__file__).resolve().parents[3]
NODE = REPO / "stacks" / "node"


def _minimal(**changes: Any) -> dict[str, Any]:
    """A valid token target; each change replaces a top-level entry (None drops it)."""
    table: dict[str, Any] = {
        "name": "my-token",
        "runtime": "node",
        "kind": "token",
        "stateful": False,
        "send": "bearer",
        "start": {"command": "node server.js --port {port}"},
        "accounts": {"register": "/register"},
        "login": {"json": "access_token"},
    }
    for key, value in changes.items():
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    return table


def _error(table: dict[str, Any]) -> str:
    with pytest.raises(TargetFileError) as raised:
        parse_target(table, Path("my.toml"))
    return str(raised.value)


def test_the_node_session_file_describes_a_stateful_cookie_session() -> None:
    spec = load_target(NODE / "session.toml")
    assert (spec.name, spec.runtime, spec.kind, spec.state) == (
        "node-session",
        "node",
        "session",
        "server",
    )
    assert spec.store == "redis" and spec.send == "cookie" and spec.login.cookie == "sid"
    assert spec.start is not None and spec.start.database == "postgresql"
    assert spec.start.cwd == NODE
    assert spec.start.environment(port="1", redis_url="r", database_url="d") == {
        "PORT": "1",
        "REDIS_URL": "r",
        "DATABASE_URL": "d",
    }
    assert spec.logout == "/logout" and spec.logout_ends_credential is True


def test_the_node_token_file_describes_a_stateless_bearer_token() -> None:
    spec = load_target(NODE / "token.toml")
    assert (spec.kind, spec.state, spec.send, spec.login.json) == (
        "token",
        "client",
        "bearer",
        "access_token",
    )
    assert spec.logout_ends_credential is False


def test_the_node_baseline_is_its_runtimes_floor() -> None:
    spec = load_target(NODE / "baseline.toml")
    assert (spec.kind, spec.state, spec.runtime) == ("baseline", "none", "node")
    assert "a baseline checks no credential" in _error(
        _minimal(kind="baseline", stateful=True, store="redis")
    )


def test_a_minimal_file_takes_the_defaults() -> None:
    spec = parse_target(_minimal(), Path("my.toml"))
    assert spec.me == "/me" and spec.login.path == "/login" and spec.health is None
    assert spec.start is not None
    assert spec.start.argv(port="8123") == ["node", "server.js", "--port", "8123"]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"name": None}, "name: missing"),
        ({"kind": "cookie"}, "kind: 'cookie' is not one of session, token"),
        ({"stateful": "yes"}, "stateful: expected true or false"),
        ({"send": None}, "send: missing"),
        ({"send": "cookie"}, "'cookie' needs [login] cookie"),
        ({"login": {}}, "[login] cookie: say where the credential comes back"),
        ({"login": {"json": "t", "cookie": "sid"}}, "give one of cookie or json"),
        ({"accounts": None}, "[accounts]: missing"),
        ({"accounts": {}}, "give exactly one of register or seed"),
        ({"accounts": {"seed": "seed.js {count}"}}, "seed: must use {password}"),
        ({"start": None}, "give exactly one of [start]"),
        ({"running": {"url": "http://127.0.0.1:3000", "pid": 1}}, "give exactly one of [start]"),
        ({"start": {"command": "node server.js"}}, "must use {port}"),
        ({"start": {"command": "node s.js {port} {host}"}}, "unknown placeholder {host}"),
        ({"start": {"command": "node s.js {port} {redis_url}"}}, "declares no Redis store"),
        ({"store": "redis"}, "contradicts stateful = false"),
        ({"stateful": True}, "a stateful target keeps its state somewhere"),
        ({"name": "session-redis"}, "one of the lab's own variants"),
        ({"paths": {"me": "me"}}, "[paths] me: a path starts with '/'"),
        ({"paths": {"logout": "/logout"}}, "logout_ends_credential: declare what logout does"),
        ({"logout_ends_credential": True}, "declared, but [paths] has no logout path"),
        ({"colour": "red"}, "colour: unknown field"),
    ],
)
def test_a_wrong_file_is_refused_naming_the_field(changes: dict[str, Any], named: str) -> None:
    message = _error(_minimal(**changes))
    assert message.startswith("my.toml: ")
    assert named in message


def test_a_database_placeholder_needs_a_database_and_back() -> None:
    assert "go together" in _error(
        _minimal(start={"command": "node s.js {port}", "env": {"DB": "{database_url}"}})
    )
    assert "go together" in _error(
        _minimal(start={"command": "node s.js {port}", "database": "postgresql"})
    )


def test_a_stateful_session_cannot_outlive_logout() -> None:
    message = _error(
        _minimal(
            kind="session",
            stateful=True,
            store="redis",
            send="cookie",
            login={"cookie": "sid"},
            start={"command": "node s.js {port} {redis_url}"},
            paths={"logout": "/logout"},
            logout_ends_credential=False,
        )
    )
    assert "a stateful session that outlives logout" in message


def test_a_running_server_is_loopback_with_a_pid() -> None:
    running = {"url": "http://127.0.0.1:3000/", "pid": 4242}
    spec = parse_target(_minimal(start=None, running=running), Path("my.toml"))
    assert spec.running is not None and spec.running.url == "http://127.0.0.1:3000"
    assert "loopback servers only" in _error(
        _minimal(start=None, running={"url": "http://10.0.0.1:3000", "pid": 1})
    )
    assert "pid: expected" in _error(
        _minimal(start=None, running={"url": "http://127.0.0.1:1", "pid": True})
    )


def test_a_file_that_is_not_toml_or_not_there_says_so(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n")
    with pytest.raises(TargetFileError, match="not valid TOML"):
        load_target(broken)
    with pytest.raises(TargetFileError, match="no such target file"):
        load_target(tmp_path / "absent.toml")
