"""Settings of one server process, kept apart from the app (as uvicorn keeps Config apart).

The CLI serialises Settings to JSON in an environment variable so that every
uvicorn worker process builds the same app.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Variant = Literal["session", "token", "baseline"]
SessionBackend = Literal["redis", "memory", "sql"]
TransportName = Literal["cookie", "header"]
Algorithm = Literal["HS256", "RS256", "ES256", "EdDSA"]
Revocation = Literal["none", "denylist"]
SameSite = Literal["lax", "strict", "none", "unset"]

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

    memory_kib: int = 19 * 1024
    time_cost: int = 2
    parallelism: int = 1

    def describe(self) -> str:
        return f"argon2id m={self.memory_kib}KiB t={self.time_cost} p={self.parallelism}"


# The hash of accounts a run logs in again and again (the benchmark's browsing accounts,
# the security lab's): logging them in must not weigh on what is measured.
CHEAP_ARGON2 = Argon2Params(memory_kib=1024, time_cost=1, parallelism=1)


@dataclass(frozen=True)
class Settings:
    variant: Variant = "session"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    # Every Redis key this server writes starts with this, so that tests and
    # several labs can share one Redis without seeing each other.
    redis_prefix: str = "authlab:"
    key_dir: str = DEFAULT_KEY_DIR
    # session variant
    store: SessionBackend = "redis"
    session_ttl: int = 1800  # idle timeout, seconds
    session_absolute_ttl: int = 8 * 3600
    # token variant
    alg: Algorithm = "HS256"
    revocation: Revocation = "none"
    access_ttl: int = 900
    refresh_ttl: int = 14 * 24 * 3600
    issuer: str = "authlab"
    audience: str = "authlab-api"
    # RFC 9068 2.2: an access token names the client it was issued to.
    client_id: str = "authlab-lab"
    # transport and CSRF (both variants)
    transport: TransportName | None = None  # None: the variant's natural one
    cookie_samesite: SameSite = "lax"
    cookie_secure: bool = False
    csrf: bool | None = None  # None: on wherever the credential rides in a cookie
    # login hardening
    argon2: Argon2Params = field(default_factory=Argon2Params)
    login_max_failures: int = 5
    login_failure_window: int = 300
    max_body_bytes: int = 64 * 1024

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
        raw: dict[str, Any] = json.loads(text)
        raw["argon2"] = Argon2Params(**raw.get("argon2", {}))
        return cls(**raw)

    @classmethod
    def from_environment(cls) -> Settings:
        text = os.environ.get(SETTINGS_ENV)
        return cls.from_json(text) if text else cls()

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)
