"""The claims table as a whole: one row per claim of the article, in its order, and the
verdicts a synthetic run is known to give (each rule's own cases: tests/reports/rules/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.claim import Verdict
from reports.load import load_run
from reports.rules.cost import decide_sessions_heavy, decide_tokens_free
from reports.verdicts import claims
from tests.reports.synthetic import security_document


def test_every_claim_of_the_article_gets_one_row(synthetic_run: Path) -> None:
    table = claims(load_run(synthetic_run))
    assert [c.id for c in table] == [
        "sessions-heavy",
        "memory-scalability",
        "sessions-csrf",
        "tokens-free",
        "tokens-csrf",
        "tokens-transfer",
        "tokens-robust",
        "tokens-better",
    ]
    for claim in table:
        assert claim.verdict in ("supported", "refuted", "depends", "not measured")
        assert claim.evidence
        if claim.verdict == "depends":
            assert claim.label.startswith("depends on ") and claim.condition


@pytest.mark.parametrize("with_security", [False, True])
def test_the_synthetic_run_gives_its_known_verdicts(
    synthetic_run: Path, tmp_path: Path, with_security: bool
) -> None:
    security = None
    if with_security:
        security = tmp_path / "security.json"
        security.write_text(json.dumps(security_document()))
    run = load_run(synthetic_run, security)
    table = {c.id: c for c in claims(run)}
    verdicts = {name: claim.verdict for name, claim in table.items()}
    # The outage run's raw latencies say how long the session server kept requests waiting.
    stall = [line for line in table["tokens-robust"].evidence if "session-redis 0% OK" in line]
    assert stall and "slowest answer" in stall[0]
    # GET /me alone: 190+20 µs against 150+2 µs, x1.38: modestly higher, not heavy.
    heavy = decide_sessions_heavy(run)
    assert verdicts["sessions-heavy"] == heavy.verdict == Verdict.REFUTED
    assert heavy.pairs[0].ratio.value == pytest.approx(210 / 152, rel=0.05)
    assert verdicts["memory-scalability"] == "depends"
    # The checks, server + store minus the baseline's 60 µs: session 150 µs, token 92 µs,
    # x1.63: 'no load' holds beside a session; 'nothing stored' does not (520 B refresh).
    free = decide_tokens_free(run)
    assert verdicts["tokens-free"] == free.verdict == Verdict.DEPENDS
    assert free.stored.verdict == Verdict.REFUTED and free.no_load.light
    assert verdicts["tokens-robust"] == "depends"
    assert verdicts["tokens-better"] == "refuted"
    expected_csrf = "depends" if with_security else "not measured"
    assert verdicts["sessions-csrf"] == verdicts["tokens-csrf"] == expected_csrf
