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

from servers.config import (
    CHEAP_ARGON2,
    Argon2Params,
    Revocation,
    SameSite,
    Settings,
    TransportName,
    Variant,
)

# Cheap hashing (CHEAP_ARGON2) for the lab's many logins. The timing part of login
# hardening starts its own server with the servers' defaults (OWASP's m=19 MiB, t=2).
DEFAULT_ARGON2 = Argon2Params()


@dataclass(frozen=True)
class LabConfig:
    """A configuration: a name plus the Settings of its server (where the lab runs it,
    port, database, keys, Redis, is added at launch by `deploy`)."""

    name: str
    settings: Settings

    @property
    def variant(self) -> Variant:
        return self.settings.variant

    @property
    def transport(self) -> TransportName:
        return self.settings.effective_transport

    @property
    def samesite(self) -> SameSite:
        return self.settings.cookie_samesite

    @property
    def csrf(self) -> bool:
        return self.settings.effective_csrf

    @property
    def revocation(self) -> Revocation:
        return self.settings.revocation

    @property
    def ambient(self) -> bool:
        """Whether a browser attaches the credential by itself (a cookie)."""
        return self.transport == "cookie"

    @property
    def cookie_name(self) -> str | None:
        return self.settings.cookie_name if self.ambient else None

    def deploy(self, directory: Path, redis_url: str, port: int = 0) -> Settings:
        """The settings the server process runs with (the attack battery reads them too)."""
        return self.settings.replace(
            host="127.0.0.1",
            port=port,
            database_url=f"sqlite:///{directory / 'users.sqlite3'}",
            redis_url=redis_url,
            key_dir=str(directory / "keys"),
        )

    def renamed(self, name: str, **changes: object) -> LabConfig:
        """Another server of this configuration, with a few settings changed."""
        return LabConfig(name, self.settings.replace(**changes))

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


def _config(
    name: str,
    variant: Variant,
    transport: TransportName,
    samesite: SameSite = "lax",
    csrf: bool = False,
    **settings: object,
) -> LabConfig:
    """A lab configuration; every one hashes with the lab's cheap argon2 unless told."""
    changes: dict[str, object] = {"argon2": CHEAP_ARGON2, **settings}
    return LabConfig(
        name,
        Settings(variant=variant, transport=transport, cookie_samesite=samesite, csrf=csrf).replace(
            **changes
        ),
    )


def _session_configs() -> list[LabConfig]:
    configs = []
    samesites: tuple[SameSite, ...] = ("strict", "lax", "none", "unset")
    for samesite in samesites:
        for csrf in (True, False):
            name = f"session-{samesite}-csrf-{'on' if csrf else 'off'}"
            configs.append(_config(name, "session", "cookie", samesite, csrf))
    return configs


CONFIGURATIONS: tuple[LabConfig, ...] = (
    *_session_configs(),
    _config("session-header", "session", "header"),
    _config("token-header", "token", "header"),
    _config("token-header-denylist", "token", "header", revocation="denylist"),
    _config("token-cookie-none-csrf-on", "token", "cookie", "none", csrf=True),
    _config("token-cookie-none-csrf-off", "token", "cookie", "none", csrf=False),
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
