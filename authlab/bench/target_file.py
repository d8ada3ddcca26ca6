"""A target file: a server the lab did not write, described so that the bench can load it.

TOML, read with the standard library's tomllib into one typed TargetSpec. Every
error names the file and the field, and says what to write instead: a user
pointing the lab at their own server should fix the file from the message alone.
The README's "Bring your own stack" walks through stacks/node/session.toml.
"""

from __future__ import annotations

import shlex
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

# baseline: the same app with the credential check skipped (it takes the credential's word
# for who is asking), the floor a runtime's checks are measured from, as the lab's own.
Kind = Literal["session", "token", "baseline"]
Store = Literal["redis", "memory", "sql", "none"]
Database = Literal["postgresql", "none"]
Send = Literal["cookie", "bearer"]

# What a start command may ask the lab for; the lab fills each in at launch.
PLACEHOLDERS = ("port", "redis_url", "database_url")
# What a seed command may ask for.
SEED_PLACEHOLDERS = ("count", "prefix", "password", "database_url")


class TargetFileError(ValueError):
    """A target file that is missing a field, has a wrong one, or contradicts itself."""


@dataclass(frozen=True)
class Start:
    """How the lab starts the server itself (and so owns its processes and CPU count)."""

    command: tuple[str, ...]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    database: Database = "none"  # postgresql: the lab makes a scratch database for it

    def placeholders(self) -> set[str]:
        return _placeholders([*self.command, *self.env.values()])

    def argv(self, **values: str) -> list[str]:
        return [part.format(**values) for part in self.command]

    def environment(self, **values: str) -> dict[str, str]:
        return {name: value.format(**values) for name, value in self.env.items()}


@dataclass(frozen=True)
class Running:
    """A server already running: the lab loads it and counts the CPU of this process."""

    url: str
    pid: int


@dataclass(frozen=True)
class Accounts:
    """How the lab makes the accounts it logs in with: one of the two."""

    register: str | None = None  # POST path taking {username_field, password_field}
    seed: tuple[str, ...] | None = None  # a command with {count} {prefix} {password}


@dataclass(frozen=True)
class Login:
    path: str = "/login"
    username_field: str = "username"
    password_field: str = "password"
    cookie: str | None = None  # the credential comes back in this cookie ...
    json: str | None = None  # ... or in this field of the JSON answer


@dataclass(frozen=True)
class Csrf:
    """A state-changing request (logout) needs this header, valued from the login answer."""

    header: str
    json: str


@dataclass(frozen=True)
class TargetSpec:
    path: Path
    name: str
    runtime: str
    kind: Kind
    stateful: bool
    store: Store
    send: Send
    login: Login
    accounts: Accounts
    start: Start | None = None
    running: Running | None = None
    description: str = ""
    me: str = "/me"
    logout: str | None = None
    logout_ends_credential: bool | None = None  # declared: refused right after logout?
    refresh: str | None = None
    health: str | None = None  # GET answering 200 when ready (else: the me path answering)
    csrf: Csrf | None = None

    @property
    def state(self) -> Literal["none", "server", "client", "client+server"]:
        """The lab's vocabulary (authlab.bench.variants.State)."""
        if self.kind == "baseline":
            return "none"
        if self.kind == "session":
            return "server" if self.stateful else "client"
        return "client+server" if self.stateful else "client"


def _placeholders(parts: list[str]) -> set[str]:
    names = set()
    for part in parts:
        for _, name, _, _ in string.Formatter().parse(part):
            if name is not None:
                names.add(name)
    return names


class _Reader:
    """Typed access to one TOML table, each error naming the file and the field."""

    def __init__(self, path: Path, table: dict[str, Any], where: str = "") -> None:
        self.path = path
        self.table = table
        self.where = where

    def fail(self, key: str, message: str) -> TargetFileError:
        return TargetFileError(f"{self.path}: {self.where}{key}: {message}")

    def _get(self, key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
        if key not in self.table:
            if default is _REQUIRED:
                raise self.fail(key, f"missing ({what})")
            return default
        value = self.table[key]
        # bool is an int in Python: "pid = true" must not pass as a number.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"expected {what}, got {value!r}")
        return value

    def text(self, key: str, what: str, default: Any = None) -> Any:
        value = self._get(key, str, what, default)
        if key in self.table and not value.strip():
            raise self.fail(key, f"empty ({what})")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: Any = None) -> Any:
        value = self.text(key, " or ".join(repr(c) for c in choices), default)
        if value is not None and value not in choices:
            raise self.fail(key, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def flag(self, key: str, what: str, default: Any = None) -> Any:
        return self._get(key, bool, f"true or false ({what})", default)

    def path_of(self, key: str, what: str, default: Any = None) -> Any:
        value = self.text(key, what, default)
        if value is not None and not value.startswith("/"):
            raise self.fail(key, f"a path starts with '/', got {value!r}")
        return value

    def command(self, key: str, what: str) -> tuple[str, ...] | None:
        value = self._get(key, (str, list), what, None)
        if value is None:
            return None
        parts = shlex.split(value) if isinstance(value, str) else value
        if not parts or not all(isinstance(p, str) and p for p in parts):
            raise self.fail(key, f"expected {what}, got {value!r}")
        return tuple(parts)

    def sub(self, key: str) -> _Reader | None:
        value = self._get(key, dict, "a table", None)
        return None if value is None else _Reader(self.path, value, f"{self.where}[{key}] ")

    def unknown(self, known: set[str]) -> None:
        extra = sorted(set(self.table) - known)
        if extra:
            raise self.fail(extra[0], f"unknown field (known: {', '.join(sorted(known))})")


_REQUIRED = object()


def load_target(path: Path | str) -> TargetSpec:
    """Read and check a target file; TargetFileError says what is wrong, where."""
    path = Path(path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise TargetFileError(f"{path}: no such target file") from error
    except tomllib.TOMLDecodeError as error:
        raise TargetFileError(f"{path}: not valid TOML: {error}") from error
    return parse_target(table, path)


def parse_target(table: dict[str, Any], path: Path) -> TargetSpec:
    top = _Reader(path, table)
    top.unknown(
        {"name", "description", "runtime", "kind", "stateful", "store", "send", "start",
         "running", "accounts", "login", "paths", "logout_ends_credential", "csrf"}
    )  # fmt: skip
    name = top.text("name", "the name the report shows, e.g. 'node-session'", _REQUIRED)
    from authlab.bench.variants import VARIANTS

    if name in VARIANTS:
        raise top.fail("name", f"{name!r} is one of the lab's own variants: choose another")
    kind = top.choice("kind", ("session", "token", "baseline"), _REQUIRED)
    stateful = top.flag("stateful", "whether it keeps per-request state on the server", _REQUIRED)
    if kind == "baseline" and stateful:
        raise top.fail("stateful", "a baseline checks no credential and keeps no state: false")
    store = top.choice("store", ("redis", "memory", "sql", "none"), "none")
    if stateful and store == "none":
        raise top.fail("store", "a stateful target keeps its state somewhere: redis, memory, sql")
    if not stateful and store != "none":
        raise top.fail("store", f"{store!r} contradicts stateful = false (leave store out)")
    start, running = _start(top, path), _running(top)
    if (start is None) == (running is None):
        raise TargetFileError(
            f"{path}: give exactly one of [start] (the lab starts the server) or [running] "
            "(url and pid of a server already running)"
        )
    if start is not None:
        used = start.placeholders()
        section = _Reader(path, {}, "[start] ")
        unknown = sorted(used - set(PLACEHOLDERS))
        if unknown:
            known = ", ".join(PLACEHOLDERS)
            raise section.fail("command", f"unknown placeholder {{{unknown[0]}}} (known: {known})")
        if "port" not in used:
            raise section.fail("command", "must use {port}: the lab chooses a free port")
        if "redis_url" in used and store != "redis":
            raise section.fail("command", "uses {redis_url} but the target declares no Redis store")
        if store == "redis" and "redis_url" not in used:
            raise section.fail("command", "store = 'redis' needs {redis_url} in command or env")
        if ("database_url" in used) != (start.database == "postgresql"):
            raise section.fail("database", "{database_url} and database = 'postgresql' go together")
    login = _login(top)
    send = top.choice("send", ("cookie", "bearer"), _REQUIRED)
    if send == "cookie" and login.cookie is None:
        raise top.fail("send", "'cookie' needs [login] cookie: the cookie the credential comes in")
    if send == "bearer" and login.json is None:
        raise top.fail("send", "'bearer' needs [login] json: the field the credential comes in")
    paths = top.sub("paths") or _Reader(path, {}, "[paths] ")
    paths.unknown({"me", "logout", "refresh", "health"})
    logout = paths.path_of("logout", "the POST that logs out")
    ends = top.flag("logout_ends_credential", "true: refused right after logout")
    if logout is not None and ends is None:
        raise top.fail(
            "logout_ends_credential",
            "declare what logout does: true (the credential is refused at once) or false "
            "(it stays valid until it expires)",
        )
    if logout is None and ends is not None:
        raise top.fail("logout_ends_credential", "declared, but [paths] has no logout path")
    if kind == "session" and stateful and ends is False:
        raise top.fail(
            "logout_ends_credential", "a stateful session that outlives logout: stateful = false?"
        )
    return TargetSpec(
        path=path,
        name=name,
        runtime=top.text("runtime", "what it runs on, e.g. 'node'", _REQUIRED),
        kind=kind,
        stateful=stateful,
        store=store,
        send=send,
        login=login,
        accounts=_accounts(top),
        start=start,
        running=running,
        description=top.text("description", "one line for the report", ""),
        me=paths.path_of("me", "the authenticated GET", "/me"),
        logout=logout,
        logout_ends_credential=ends,
        refresh=paths.path_of("refresh", "the POST that refreshes the credential"),
        health=paths.path_of("health", "a GET answering 200 once the server is ready"),
        csrf=_csrf(top),
    )


def _start(top: _Reader, path: Path) -> Start | None:
    start = top.sub("start")
    if start is None:
        return None
    start.unknown({"command", "cwd", "env", "database"})
    command = start.command("command", "a command line with {port}, as a string or a list")
    if command is None:
        raise start.fail("command", "missing (a command line with {port})")
    env = start._get("env", dict, "a table of environment variables", {})
    if not all(isinstance(v, str) for v in env.values()):
        raise start.fail("env", "every value is a string")
    cwd = path.parent / start.text("cwd", "a directory, relative to this file", ".")
    return Start(
        command, cwd.resolve(), dict(env), start.choice("database", ("postgresql", "none"), "none")
    )


def _running(top: _Reader) -> Running | None:
    running = top.sub("running")
    if running is None:
        return None
    running.unknown({"url", "pid"})
    url = running.text("url", "the server's base URL, e.g. 'http://127.0.0.1:3000'", _REQUIRED)
    if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise running.fail("url", "the lab loads loopback servers only (http://127.0.0.1:...)")
    pid = running._get("pid", int, "the process id whose CPU the lab counts", _REQUIRED)
    return Running(url.rstrip("/"), pid)


def _accounts(top: _Reader) -> Accounts:
    accounts = top.sub("accounts")
    if accounts is None:
        raise top.fail("[accounts]", "missing: give register (a path) or seed (a command)")
    accounts.unknown({"register", "seed"})
    register = accounts.path_of("register", "the POST that creates an account")
    seed = accounts.command("seed", "a command line with {count}, {prefix} and {password}")
    if (register is None) == (seed is None):
        raise accounts.fail("register", "give exactly one of register or seed")
    if seed is not None:
        used = _placeholders(list(seed))
        missing = sorted({"count", "prefix", "password"} - used)
        if missing:
            raise accounts.fail("seed", f"must use {{{missing[0]}}}")
        unknown = sorted(used - set(SEED_PLACEHOLDERS))
        if unknown:
            raise accounts.fail("seed", f"unknown placeholder {{{unknown[0]}}}")
    return Accounts(register, seed)


def _login(top: _Reader) -> Login:
    login = top.sub("login") or _Reader(top.path, {}, "[login] ")
    login.unknown({"path", "username_field", "password_field", "cookie", "json"})
    cookie = login.text("cookie", "the name of the cookie the credential comes back in")
    json_field = login.text("json", "the JSON field the credential comes back in")
    if cookie is None and json_field is None:
        raise login.fail("cookie", "say where the credential comes back: cookie = or json =")
    if cookie is not None and json_field is not None:
        raise login.fail("cookie", "give one of cookie or json, not both")
    return Login(
        path=login.path_of("path", "the POST that logs in", "/login"),
        username_field=login.text("username_field", "the JSON field of the name", "username"),
        password_field=login.text("password_field", "the JSON field of the password", "password"),
        cookie=cookie,
        json=json_field,
    )


def _csrf(top: _Reader) -> Csrf | None:
    csrf = top.sub("csrf")
    if csrf is None:
        return None
    csrf.unknown({"header", "json"})
    return Csrf(
        csrf.text("header", "the header a state change carries, e.g. 'X-CSRF-Token'", _REQUIRED),
        csrf.text("json", "the login answer's field holding its value", _REQUIRED),
    )
