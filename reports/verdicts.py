"""The claims table: each claim of the article, in the article's order, with the run's verdict.

Every verdict is computed by a rule (reports.rules), a plain function of RunData that
returns a typed ruling; none is typed in. A claim here is that ruling said in words
(reports.rules.wording) with the run's evidence beneath it (reports.rules.evidence).
"""

from __future__ import annotations

from collections.abc import Callable

from reports import csrf
from reports.claim import Claim, security_gap
from reports.load import RunData
from reports.rules import cost, evidence, security, state, wording


def sessions_heavy_load(run: RunData) -> Claim:
    ruling = cost.decide_sessions_heavy(run)
    return wording.sessions_heavy(ruling, evidence.sessions_heavy(run, ruling))


def memory_scalability(run: RunData) -> Claim:
    ruling = state.decide_memory_scalability(run)
    return wording.memory_scalability(ruling, evidence.memory_scalability(run, ruling))


def _csrf(run: RunData, judgement: csrf.Judgement) -> Claim:
    return wording.csrf_claim(
        security.decide_csrf(run, judgement),
        judgement,
        evidence.csrf(run, judgement),
        because=security_gap(run),
    )


def sessions_csrf(run: RunData) -> Claim:
    return _csrf(run, csrf.judge(run.security)[0])


def tokens_less_csrf(run: RunData) -> Claim:
    return _csrf(run, csrf.judge(run.security)[1])


def tokens_stateless(run: RunData) -> Claim:
    ruling = cost.decide_tokens_free(run)
    return wording.tokens_free(ruling, evidence.tokens_free(run, ruling))


def tokens_transfer(run: RunData) -> Claim:
    ruling = security.decide_tokens_transfer(run)
    return wording.tokens_transfer(ruling, evidence.tokens_transfer(run, ruling))


def tokens_robust(run: RunData) -> Claim:
    ruling = state.decide_tokens_robust(run)
    return wording.tokens_robust(ruling, evidence.tokens_robust(run, ruling))


def tokens_much_better(run: RunData) -> Claim:
    ruling = cost.decide_tokens_better(run)
    return wording.tokens_better(ruling, evidence.tokens_better(run, ruling))


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
