"""What a results folder from before manifests described their servers leaves out.

Until then a bench manifest listed the load phases' variants without their Settings,
colour or topology, and left out the variants only an experiment started (scale-out,
outage). Those runs were made by one harness whose variant table is frozen here, as
data: a report of such a folder reads it from this table, never from today's harness
(which may since have changed). A folder that describes itself never comes here.
"""

from __future__ import annotations

from typing import Any

# The old harness's variants in its order (its figure colours follow this order), as
# (name, kind, transport, state, store, alg). Token access tokens lived 900 s in all.
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
ACCESS_TTL = 900
_COLOURS = (
    "#7f7f7f",
    "#1f77b4",
    "#17becf",
    "#9467bd",
    "#2ca02c",
    "#d62728",
    "#ff7f0e",
    "#bcbd22",
    "#e377c2",
    "#8c564b",
    "#f7b6d2",
)
# Names outside any table: a colour of their own, the same in every figure.
EXTRA_COLOURS = ("#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173")

VARIANTS: dict[str, dict[str, Any]] = {
    name: {
        "kind": kind,
        "transport": transport,
        "state": state,
        "store": store,
        "alg": alg,
        "colour": colour,
        **({"settings": {"access_ttl": ACCESS_TTL}} if kind == "token" else {}),
    }
    for (name, kind, transport, state, store, alg), colour in zip(_VARIANTS, _COLOURS, strict=True)
}
# Store names the old manifests used for what Settings calls otherwise.
STORE_ALIASES = {"sqlite": "sql"}


def extra_colour(name: str) -> str:
    return EXTRA_COLOURS[sum(map(ord, name)) % len(EXTRA_COLOURS)]
