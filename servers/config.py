"""Settings of one server process, kept apart from the app (as uvicorn keeps Config apart).

Settings travel as JSON in an environment variable (to_json, from_json: dataclasses.asdict
and its inverse), so that every uvicorn worker process builds the same app; and as the
command line of `authlab serve`, derived from the same fields (authlab/settings_argv.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, get_args, get_type_hints

from servers import command_line
from servers.command_line import CREDENTIAL_SERVERS, EVERY_SERVER, option

Variant = Literal["session", "token", "baseline"]
SessionBackend = Literal["redis", "memory", "sql"]
TransportName = Literal["cookie", "header"]
Algorithm = Literal["HS256", "RS256", "ES256", "EdDSA"]
Revocation = Literal["none", "denylist"]
SameSite = Literal["lax", "strict", "none", "unset"]

T = TypeVar("T")

ALGORITHMS: tuple[Algorithm, ...] = get_args(Algorithm)
SETTINGS_ENV = "AUTHLAB_SETTINGS"
DEFAULT_DATABASE_URL = "sqlite:///.authlab/users.sqlite3"
DEFAULT_KEY_DIR = ".authlab/keys"
# The credential cookie's name, where the credential rides in a cookie.
SESSION_COOKIE = "sid"
TOKEN_COOKIE = "access_token"


@dataclass(frozen=True)
class Argon2Params:
    """argon2id cost. The default is OWASP's (m=19 MiB, t=2, p=1)."""

    memory_kib: int = field(
        default=19 * 1024,
        metadata=option("argon2id memory in KiB (OWASP: 19456)", EVERY_SERVER, minimum=8),
    )
    time_cost: int = field(
        default=2, metadata=option("argon2id iterations (OWASP: 2)", EVERY_SERVER, minimum=1)
    )
    parallelism: int = field(default=1, metadata=option(minimum=1))

    def describe(self) -> str:
        return f"argon2id m={self.memory_kib}KiB t={self.time_cost} p={self.parallelism}"


# The hash of accounts a run logs in again and again (the benchmark's browsing accounts,
# the security lab's): logging them in must not weigh on what is measured.
CHEAP_ARGON2 = Argon2Params(memory_kib=1024, time_cost=1, parallelism=1)


@dataclass(frozen=True)
class Settings:
    """One server process. Each field's metadata says how `authlab serve` spells it
    (servers/command_line.py); authlab/settings_argv.py derives the options and the argv."""

    # The serve command itself (`authlab serve session|token|baseline`), not an option.
    variant: Variant = "session"
    host: str = field(
        default="127.0.0.1",
        metadata=option("Address to listen on (loopback by default).", EVERY_SERVER),
    )
    port: int = field(
        default=8000, metadata=option(listed_in=EVERY_SERVER, minimum=0, maximum=65535)
    )
    workers: int = field(
        default=1,
        metadata=option("uvicorn worker processes", EVERY_SERVER, minimum=1, maximum=64),
    )
    database_url: str = field(
        default=DEFAULT_DATABASE_URL,
        metadata=option(
            "sqlite:///PATH (default) or postgresql://user@host/db",
            EVERY_SERVER,
            parse=command_line.database_url,
        ),
    )
    redis_url: str | None = field(
        default=None,
        metadata=option(
            "redis://... or redis+sentinel://HOST:PORT[,...]/SERVICE (follows failovers); "
            "without it a private redis-server is started and stopped.",
            CREDENTIAL_SERVERS,
            parse=command_line.redis_url,
        ),
    )
    # Every Redis key this server writes starts with this, so that tests and
    # several labs can share one Redis without seeing each other.
    redis_prefix: str = field(default="authlab:", metadata=option())
    key_dir: str = field(
        default=DEFAULT_KEY_DIR,
        metadata=option("Where keys and secrets are kept (made on first run).", CREDENTIAL_SERVERS),
    )
    # session variant
    store: SessionBackend = field(
        default="redis", metadata=option("where sessions live", ["session"])
    )
    session_ttl: int = field(
        default=1800, metadata=option("idle timeout, seconds", ["session"], minimum=1)
    )
    session_absolute_ttl: int = field(
        default=8 * 3600, metadata=option("absolute timeout", ["session"], minimum=1)
    )
    # token variant
    alg: Algorithm = field(default="HS256", metadata=option("JWT signing algorithm", ["token"]))
    revocation: Revocation = field(
        default="none", metadata=option("deny list of jti on logout", ["token"])
    )
    access_ttl: int = field(
        default=900, metadata=option("access token lifetime, s", ["token"], minimum=1)
    )
    refresh_ttl: int = field(
        default=14 * 24 * 3600,
        metadata=option("refresh token lifetime, s", ["token"], minimum=1),
    )
    issuer: str = field(default="authlab", metadata=option())
    audience: str = field(default="authlab-api", metadata=option())
    # RFC 9068 2.2: an access token names the client it was issued to.
    client_id: str = field(
        default="authlab-lab",
        metadata=option("client_id claim of access tokens (RFC 9068)", ["token"]),
    )
    # transport and CSRF (both variants)
    # None: the variant's natural one; each serve command starts with it explicit.
    transport: TransportName | None = field(
        default=None,
        metadata=option(
            "how the credential travels",
            CREDENTIAL_SERVERS,
            by_variant={"session": "cookie", "token": "header", "baseline": "header"},
        ),
    )
    cookie_samesite: SameSite = field(
        default="lax", metadata=option("SameSite of the credential cookie", CREDENTIAL_SERVERS)
    )
    cookie_secure: bool = field(default=False, metadata=option(listed_in=CREDENTIAL_SERVERS))
    # None: on wherever the credential rides in a cookie (the baseline has none to defend).
    csrf: bool | None = field(
        default=None,
        metadata=option(
            "on|off; default: on where the credential rides in a cookie",
            CREDENTIAL_SERVERS,
            by_variant={"baseline": False},
            parse=command_line.on_off,
            show=command_line.show_on_off,
        ),
    )
    # login hardening
    argon2: Argon2Params = field(default_factory=Argon2Params)
    login_max_failures: int = field(default=5, metadata=option(minimum=1))
    login_failure_window: int = field(default=300, metadata=option(minimum=1))
    max_body_bytes: int = field(default=64 * 1024, metadata=option(minimum=1))

    @property
    def effective_transport(self) -> TransportName:
        if self.transport is not None:
            return self.transport
        return "cookie" if self.variant == "session" else "header"

    @property
    def effective_csrf(self) -> bool:
        if self.csrf is not None:
            return self.csrf
        return self.effective_transport == "cookie"

    @property
    def cookie_name(self) -> str:
        """The name of the cookie the credential rides in (with the cookie transport)."""
        return SESSION_COOKIE if self.variant == "session" else TOKEN_COOKIE

    @property
    def needs_redis(self) -> bool:
        """Whether this server keeps anything in Redis."""
        if self.variant == "session":
            return self.store == "redis"
        # Refresh tokens are server-side state: the token server keeps them in Redis.
        return self.variant == "token"

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Settings:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Settings:
        """The inverse of dataclasses.asdict (fields left out keep their default)."""
        return _from_dict(cls, raw)

    @classmethod
    def from_environment(cls) -> Settings:
        text = os.environ.get(SETTINGS_ENV)
        return cls.from_json(text) if text else cls()

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _from_dict(cls: type[T], raw: dict[str, Any]) -> T:
    """The inverse of dataclasses.asdict: a nested dataclass field is built from its dict."""
    hints = get_type_hints(cls)
    values = {
        name: _from_dict(hints[name], value)
        if dataclasses.is_dataclass(hints[name]) and isinstance(value, dict)
        else value
        for name, value in raw.items()
    }
    return cls(**values)
