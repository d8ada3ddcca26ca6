"""What a version-1 results folder leaves out, frozen as data.

Until 2026-11-30 a bench manifest listed the load phases' variants without their colour
or Settings, named the SQL store "sqlite", and left out the variants only an experiment
started (scale-out, outage). Those runs were made by one harness whose variant table is
frozen here: an old folder is completed from this table, never from today's harness
(which may since have changed).
"""

from __future__ import annotations

from typing import Any

# The old harness's variants, as (name, kind, transport, state, store, alg).
_VARIANTS = (
    ("baseline", "baseline", "header", "none", "-", "-"),
    ("session-redis", "session", "cookie", "server", "redis", "-"),
    ("session-memory", "session", "cookie", "server", "memory", "-"),
    ("session-sqlite", "session", "cookie", "server", "sql", "-"),
    ("session-bearer", "session", "header", "server", "redis", "-"),
    ("token-hs256", "token", "header", "client", "-", "HS256"),
    ("token-rs256", "token", "header", "client", "-", "RS256"),
    ("token-es256", "token", "header", "client", "-", "ES256"),
    ("token-eddsa", "token", "header", "client", "-", "EdDSA"),
    ("token-hs256-denylist", "token", "header", "client+server", "redis", "HS256"),
    ("token-hs256-cookie", "token", "cookie", "client", "-", "HS256"),
)
# Its access tokens lived 900 s in every token variant.
ACCESS_TTL = 900

# Store names the version-1 manifests used for what Settings calls otherwise.
STORE_NAMES = {"sqlite": "sql"}


def settings(kind: str) -> dict[str, Any]:
    """The Settings a version-1 variant of this kind is known to have had."""
    return {"access_ttl": ACCESS_TTL} if kind == "token" else {}


VARIANTS: dict[str, dict[str, Any]] = {
    name: {
        "name": name,
        "kind": kind,
        "transport": transport,
        "state": state,
        "store": store,
        "alg": alg,
        "settings": settings(kind),
    }
    for name, kind, transport, state, store, alg in _VARIANTS
}

# Before the GET-only phases (the credential alone) a summary's per-request figures were
# the mixed browsing phase's, under the names the GET-only figures have since taken; the
# mixed ones are now prefixed. Frozen here, as version 2 named them.
GET_ONLY_PHASES = ("me-closed", "me-rate")
MIXED_PREFIX = "mix_"
SUMMARY_FIGURES = tuple(
    f"{figure}{suffix}"
    for figure in (
        "max_throughput_rps",
        "p50_us",
        "p99_us",
        "p999_us",
        "server_cpu_us_per_request",
        "store_cpu_us_per_request",
    )
    for suffix in ("", "_min", "_max")
)
