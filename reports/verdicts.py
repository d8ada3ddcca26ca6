"""The claims table: each claim of the article, in the article's order, with the run's verdict.

Every verdict is computed by a rule (reports.rules), a plain function of RunData; none is
typed in. This module only lists the rules and runs them: the vocabulary lives in
reports.claim, the thresholds in reports.bands, each rule in its reports.rules module.
"""

from __future__ import annotations

from collections.abc import Callable

from reports.claim import Claim
from reports.load import RunData
from reports.rules.cost import sessions_heavy_load, tokens_much_better, tokens_stateless
from reports.rules.security import sessions_csrf, tokens_less_csrf, tokens_transfer
from reports.rules.state import memory_scalability, tokens_robust

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
