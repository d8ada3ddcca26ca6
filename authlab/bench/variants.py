"""The variants a benchmark compares, each a name plus the Settings of its server.

The 2 x 2 the lab is organised around: where the state lives (server: a store;
client: a signed token) and how the credential travels (cookie or header). What a
variant is (its kind, transport, store, algorithm, state) is read from its Settings,
never typed a second time; where and how a run deploys it (port, user store, keys,
Redis) is added at launch (Variant.deploy).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from authlab.bench.prelogin import prelogin
from authlab.bench.verify import WireSize, verify_variant
from authlab.fleet import HEALTH, Command, Probe, plain_twin_command, serve_command
from results_format import palette
from servers.config import Settings

State = Literal["none", "server", "client", "client+server"]
# How a variant's servers are laid out; "single": one server process (K of them, side by
# side and unbalanced, in the scale-out experiment) with its own store.
Topology = Literal["single"]


@dataclass(frozen=True)
class Variant:
    name: str
    settings: Settings
    description: str
    topology: Topology = "single"

    @property
    def kind(self) -> Literal["baseline", "session", "token"]:
        return self.settings.variant

    @property
    def transport(self) -> Literal["cookie", "header"]:
        return self.settings.effective_transport

    @property
    def store(self) -> str:
        """Where the server keeps the state it checks per request ("-": nowhere)."""
        if self.kind == "session":
            return self.settings.store
        if self.kind == "token" and self.settings.revocation == "denylist":
            return "redis"
        return "-"

    @property
    def alg(self) -> str:
        return self.settings.alg if self.kind == "token" else "-"

    @property
    def state(self) -> State:
        if self.kind == "session":
            return "server"
        if self.kind == "token":
            return "client+server" if self.settings.revocation == "denylist" else "client"
        return "none"

    @property
    def needs_redis(self) -> bool:
        return self.settings.needs_redis

    # --- how a run handles it: the lab's server here, another in authlab.bench.targets ---

    @property
    def runtime(self) -> str:
        return "python"

    @property
    def has_twin(self) -> bool:
        """Whether a plain twin (servers/plain.py) measures this server's own overhead."""
        return True

    @property
    def me_path(self) -> str:
        return "/me"

    @property
    def ready(self) -> Probe:
        """What answers once the server is up."""
        return HEALTH

    def runs_phase(self, phase: str) -> bool:
        return True

    def command(self, plain_twin: bool = False) -> Command:
        return plain_twin_command if plain_twin else serve_command

    def verify(self, url: str, username: str, password: str) -> list[WireSize]:
        """The contract walked once before any load (authlab.bench.verify)."""
        return verify_variant(url, self.kind, self.transport, username, password)

    def verification_facts(self) -> dict[str, Any]:
        """What verification saw beyond pass or fail, for the verification table."""
        return {}

    def prelogin(self, url: str, accounts: list[str], password: str) -> list[dict[str, str]]:
        """Each account's request headers after one login (authlab.bench.prelogin)."""
        return prelogin(url, self.transport, accounts, password)

    def deploy(self, **where: Any) -> Settings:
        """The variant's Settings with where a run puts it (port, database_url, ...)."""
        return self.settings.replace(**where)

    def describe(self, colour: str | None = None) -> dict[str, Any]:
        """What the manifest records: the spec, and what the reports read from it."""
        return {
            "name": self.name,
            "runtime": self.runtime,
            "kind": self.kind,
            "transport": self.transport,
            "state": self.state,
            "description": self.description,
            "store": self.store,
            "alg": self.alg,
            "needs_redis": self.needs_redis,
            "topology": self.topology,
            "colour": colour or palette.colour_of(self.name),
            "settings": dataclasses.asdict(self.settings),
        }


def _variant(name: str, description: str, **settings: Any) -> Variant:
    return Variant(name, Settings(**settings), description)


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        _variant(
            "baseline",
            "no credential check: the floor",
            variant="baseline",
            transport="header",
            csrf=False,
        ),
        _variant("session-redis", "session id in a cookie, session in Redis", store="redis"),
        _variant(
            "session-memory",
            "session id in a cookie, session in process memory",
            store="memory",
        ),
        _variant(
            "session-sqlite",
            "session id in a cookie, session in SQLite",
            store="sql",
        ),
        _variant(
            "session-bearer",
            "the opaque session id as a Bearer token (a stateful token)",
            store="redis",
            transport="header",
        ),
        _variant("token-hs256", "JWT HS256 in a header", variant="token", alg="HS256"),
        _variant("token-rs256", "JWT RS256 in a header", variant="token", alg="RS256"),
        _variant("token-es256", "JWT ES256 in a header", variant="token", alg="ES256"),
        _variant("token-eddsa", "JWT EdDSA in a header", variant="token", alg="EdDSA"),
        _variant(
            "token-hs256-denylist",
            "JWT HS256 with a Redis deny list (logout works)",
            variant="token",
            alg="HS256",
            revocation="denylist",
        ),
        _variant(
            "token-hs256-cookie",
            "JWT HS256 in a cookie (a stateless session)",
            variant="token",
            alg="HS256",
            transport="cookie",
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
