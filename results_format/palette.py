"""One colour per variant, the same in every figure of every run.

The bench records each variant's colour in the manifest, so that a report drawn later
draws the colours of the run; a folder from before manifests carried colours gets them
from here too (results_format.upgrade), and a name no table colours gets one of its own.
"""

from __future__ import annotations

# The lab's variants in the harness's order (the order the colours were first given in).
VARIANT_COLOURS: dict[str, str] = {
    "baseline": "#7f7f7f",
    "session-redis": "#1f77b4",
    "session-memory": "#17becf",
    "session-sqlite": "#9467bd",
    "session-bearer": "#2ca02c",
    "token-hs256": "#d62728",
    "token-rs256": "#ff7f0e",
    "token-es256": "#bcbd22",
    "token-eddsa": "#e377c2",
    "token-hs256-denylist": "#8c564b",
    "token-hs256-cookie": "#f7b6d2",
}
# Names outside the table (targets, experiment-only servers): a colour of their own,
# chosen from the name so that it is the same in every figure and every run.
EXTRA_COLOURS = ("#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173")


def extra_colour(name: str) -> str:
    return EXTRA_COLOURS[sum(map(ord, name)) % len(EXTRA_COLOURS)]


def colour_of(name: str) -> str:
    """The variant's colour: the table's, else one of its own from the name."""
    return VARIANT_COLOURS.get(name) or extra_colour(name)
