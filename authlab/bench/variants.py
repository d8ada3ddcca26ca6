"""The variants a benchmark compares, each a name for a set of `authlab serve` options.

The 2 x 2 the lab is organised around: where the state lives (server: a store;
client: a signed token) and how the credential travels (cookie or header).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

State = Literal["none", "server", "client", "client+server"]


@dataclass(frozen=True)
class Variant:
    name: str
    kind: Literal["baseline", "session", "token"]
    options: tuple[str, ...]
    transport: Literal["cookie", "header"]
    state: State
    description: str
    store: str = "-"
    alg: str = "-"
    needs_redis: bool = field(default=True)

    def serve_args(self) -> list[str]:
        return ["serve", self.kind, *self.options]


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(
            "baseline",
            "baseline",
            (),
            "header",
            "none",
            "no credential check: the floor",
            needs_redis=False,
        ),
        Variant(
            "session-redis",
            "session",
            ("--store", "redis"),
            "cookie",
            "server",
            "session id in a cookie, session in Redis",
            store="redis",
        ),
        Variant(
            "session-memory",
            "session",
            ("--store", "memory"),
            "cookie",
            "server",
            "session id in a cookie, session in process memory",
            store="memory",
            needs_redis=False,
        ),
        Variant(
            "session-sqlite",
            "session",
            ("--store", "sql"),
            "cookie",
            "server",
            "session id in a cookie, session in SQLite",
            store="sqlite",
            needs_redis=False,
        ),
        Variant(
            "session-bearer",
            "session",
            ("--store", "redis", "--transport", "header"),
            "header",
            "server",
            "the opaque session id as a Bearer token (a stateful token)",
            store="redis",
        ),
        Variant(
            "token-hs256",
            "token",
            ("--alg", "HS256"),
            "header",
            "client",
            "JWT HS256 in a header",
            alg="HS256",
        ),
        Variant(
            "token-rs256",
            "token",
            ("--alg", "RS256"),
            "header",
            "client",
            "JWT RS256 in a header",
            alg="RS256",
        ),
        Variant(
            "token-es256",
            "token",
            ("--alg", "ES256"),
            "header",
            "client",
            "JWT ES256 in a header",
            alg="ES256",
        ),
        Variant(
            "token-eddsa",
            "token",
            ("--alg", "EdDSA"),
            "header",
            "client",
            "JWT EdDSA in a header",
            alg="EdDSA",
        ),
        Variant(
            "token-hs256-denylist",
            "token",
            ("--alg", "HS256", "--revocation", "denylist"),
            "header",
            "client+server",
            "JWT HS256 with a Redis deny list (logout works)",
            store="redis",
            alg="HS256",
        ),
        Variant(
            "token-hs256-cookie",
            "token",
            ("--alg", "HS256", "--transport", "cookie"),
            "cookie",
            "client",
            "JWT HS256 in a cookie (a stateless session)",
            alg="HS256",
        ),
    )
}

DEFAULT_MATRIX = (
    "baseline",
    "session-redis",
    "session-memory",
    "session-sqlite",
    "session-bearer",
    "token-hs256",
    "token-rs256",
    "token-eddsa",
    "token-hs256-denylist",
    "token-hs256-cookie",
)


def select(names: str | None, default: tuple[str, ...]) -> list[Variant]:
    """Variants by comma-separated names, with a clear error for an unknown one."""
    wanted = [n.strip() for n in names.split(",") if n.strip()] if names else list(default)
    unknown = [n for n in wanted if n not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    return [VARIANTS[n] for n in wanted]
