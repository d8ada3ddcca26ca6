"""The configurations the security lab starts, each one a real `authlab serve` process.

Sessions come with every SameSite value (strict, lax, none, and no attribute
at all) and CSRF protection on and off, and as a Bearer header (the opaque
session id sent by the app's code: server state without the cookie); tokens
come in a header (with and without the deny list) and in a cookie (CSRF on
and off). The token cookie is
SameSite=None on purpose: it is then carried like the session-none cookie, so
the two rows differ only in what the cookie holds, and the matrix can show that
CSRF exposure follows the transport, not session versus token.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from servers.config import Argon2Params, Revocation, SameSite, Settings, TransportName, Variant

# Cheap hashing for the lab's many logins. The timing part of login hardening
# starts its own server with the servers' defaults (OWASP's m=19 MiB, t=2).
LAB_ARGON2 = Argon2Params(memory_kib=1024, time_cost=1, parallelism=1)
DEFAULT_ARGON2 = Argon2Params()


@dataclass(frozen=True)
class LabConfig:
    name: str
    variant: Variant
    transport: TransportName
    samesite: SameSite = "lax"
    csrf: bool = False
    revocation: Revocation = "none"

    @property
    def ambient(self) -> bool:
        """Whether a browser attaches the credential by itself (a cookie)."""
        return self.transport == "cookie"

    @property
    def cookie_name(self) -> str | None:
        if not self.ambient:
            return None
        return "sid" if self.variant == "session" else "access_token"

    def settings(
        self,
        directory: Path,
        redis_url: str,
        port: int,
        argon2: Argon2Params = LAB_ARGON2,
        access_ttl: int | None = None,
    ) -> Settings:
        """The settings the server process runs with (the attack battery reads them too)."""
        base = Settings(
            variant=self.variant,
            host="127.0.0.1",
            port=port,
            database_url=f"sqlite:///{directory / 'users.sqlite3'}",
            redis_url=redis_url,
            key_dir=str(directory / "keys"),
            transport=self.transport,
            cookie_samesite=self.samesite,
            csrf=self.csrf,
            revocation=self.revocation,
            argon2=argon2,
        )
        return base.replace(access_ttl=access_ttl) if access_ttl else base

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "variant": self.variant,
            "transport": self.transport,
            "samesite": self.samesite if self.ambient else None,
            "csrf": self.csrf if self.ambient else None,
            "revocation": self.revocation if self.variant == "token" else None,
            "credential_cookie": self.cookie_name,
        }


def serve_argv(settings: Settings) -> list[str]:
    """`authlab serve ...` arguments that make a server with exactly these settings."""
    common = [
        "--host",
        settings.host,
        "--port",
        str(settings.port),
        "--transport",
        settings.effective_transport,
        "--redis-url",
        str(settings.redis_url),
        "--database-url",
        settings.database_url,
        "--key-dir",
        settings.key_dir,
        "--cookie-samesite",
        settings.cookie_samesite,
        "--csrf",
        "on" if settings.effective_csrf else "off",
        "--argon2-memory-kib",
        str(settings.argon2.memory_kib),
        "--argon2-time-cost",
        str(settings.argon2.time_cost),
    ]
    if settings.variant == "session":
        return ["serve", "session", "--store", settings.store, *common]
    return [
        "serve",
        "token",
        "--alg",
        settings.alg,
        "--revocation",
        settings.revocation,
        "--access-ttl",
        str(settings.access_ttl),
        *common,
    ]


def _session_configs() -> list[LabConfig]:
    configs = []
    samesites: tuple[SameSite, ...] = ("strict", "lax", "none", "unset")
    for samesite in samesites:
        for csrf in (True, False):
            name = f"session-{samesite}-csrf-{'on' if csrf else 'off'}"
            configs.append(LabConfig(name, "session", "cookie", samesite, csrf))
    return configs


CONFIGURATIONS: tuple[LabConfig, ...] = (
    *_session_configs(),
    LabConfig("session-header", "session", "header"),
    LabConfig("token-header", "token", "header"),
    LabConfig("token-header-denylist", "token", "header", revocation="denylist"),
    LabConfig("token-cookie-none-csrf-on", "token", "cookie", "none", csrf=True),
    LabConfig("token-cookie-none-csrf-off", "token", "cookie", "none", csrf=False),
)
BY_NAME = {config.name: config for config in CONFIGURATIONS}


def select(names: list[str] | None) -> list[LabConfig]:
    """The named configurations in the lab's order; all of them for None."""
    if not names:
        return list(CONFIGURATIONS)
    unknown = sorted(set(names) - set(BY_NAME))
    if unknown:
        raise ValueError(f"unknown configuration(s): {', '.join(unknown)}")
    return [config for config in CONFIGURATIONS if config.name in names]
