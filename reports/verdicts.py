"""The claims table: each claim of the article, the run's evidence and a verdict.

Every verdict is computed by a rule (reports.rules), a plain function of RunData; none
is typed in. A rule answers "supported", "refuted", "depends" (saying on what) or "not
measured" (naming the command that measures it: a missing file never decides a
verdict). Each verdict carries the Decisions it rests on: the deciding figure, the
threshold (reports.bands), the margin, and "fragile" when the run's own repetitions
fall on both sides of the threshold.
"""

from __future__ import annotations

from collections.abc import Callable

from reports.bands import (
    BREAKS,
    CARRIES_ON,
    HEAVY,
    SIMILAR,
    THRESHOLDS,
    WORKS,
    grade,
    spread_note,
    wording,
)
from reports.claim import (
    BENCH,
    NOT_MEASURED,
    SECURITY,
    Claim,
    Verdict,
    experiment,
    security_command,
    variants_command,
)
from reports.load import RunData
from reports.rules.cost import (
    resident_growth,
    sessions_heavy_load,
    tokens_much_better,
    tokens_stateless,
)
from reports.rules.security import sessions_csrf, tokens_less_csrf, tokens_transfer
from reports.rules.state import memory_scalability, tokens_robust

__all__ = [
    "BENCH",
    "BREAKS",
    "CARRIES_ON",
    "HEAVY",
    "NOT_MEASURED",
    "RULES",
    "SECURITY",
    "SIMILAR",
    "THRESHOLDS",
    "WORKS",
    "Claim",
    "Verdict",
    "claims",
    "experiment",
    "grade",
    "memory_scalability",
    "resident_growth",
    "security_command",
    "sessions_csrf",
    "sessions_heavy_load",
    "spread_note",
    "tokens_less_csrf",
    "tokens_much_better",
    "tokens_robust",
    "tokens_stateless",
    "tokens_transfer",
    "variants_command",
    "wording",
]

RULES: tuple[Callable[[RunData], Claim], ...] = (
    sessions_heavy_load,
    memory_scalability,
    sessions_csrf,
    tokens_stateless,
    tokens_less_csrf,
    tokens_transfer,
    tokens_robust,
    tokens_much_better,
)


def claims(run: RunData) -> list[Claim]:
    """The claims table of a run, in the article's order."""
    return [rule(run) for rule in RULES]
