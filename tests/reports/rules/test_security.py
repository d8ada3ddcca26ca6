"""The security lab's claims (3, 5 and 6) against crafted runs: the rulings, not their words."""

from __future__ import annotations

from typing import Any

import pytest

from reports import csrf
from reports.claim import Verdict
from reports.rules.ruling import Ruling, ThirdPartyVerify
from reports.rules.security import decide_csrf, decide_tokens_transfer
from reports.verdicts import tokens_transfer
from tests.reports.rules.crafted import SESSION_TOKEN, crafted, repetitions, row
from tests.reports.synthetic import security_document

# --- 3 and 5. CSRF, from the security lab ---------------------------------------------


def _csrf(document: dict[str, Any] | None) -> list[Ruling]:
    run = crafted([row(v, 400) for v in SESSION_TOKEN])
    run.security = document
    return [decide_csrf(run, judgement) for judgement in csrf.judge(document)]


def test_csrf_claims_are_not_measured_without_security_results() -> None:
    for ruling in _csrf(None):
        assert ruling.verdict == Verdict.NOT_MEASURED
        assert "make security" in ruling.missing


def test_csrf_follows_the_cookie_settings_not_session_vs_token() -> None:
    sessions, tokens = _csrf(security_document())
    assert sessions.verdict == tokens.verdict == Verdict.DEPENDS
    assert sessions.deciding and all(d.unit == "%" for d in sessions.deciding)


def test_sessions_csrf_supported_when_every_session_configuration_falls() -> None:
    sessions, tokens = _csrf(
        security_document(exploited={"session-lax-csrf-on", "session-none-csrf-off"})
    )
    assert sessions.verdict == Verdict.SUPPORTED
    # ... and tokens, none exploited, then do carry less risk.
    assert tokens.verdict == Verdict.SUPPORTED


def test_csrf_refuted_when_nothing_is_exploited() -> None:
    sessions, tokens = _csrf(security_document(exploited=set()))
    assert sessions.verdict == tokens.verdict == Verdict.REFUTED


def test_tokens_csrf_refuted_when_a_header_token_is_exploited() -> None:
    _, tokens = _csrf(security_document(exploited={"session-none-csrf-off", "token-header"}))
    assert tokens.verdict == Verdict.REFUTED


# --- 6. tokens transfer information more conveniently and securely ---------------------

PRIMITIVES = [
    {"primitive": "JWT verify HS256 (PyJWT + header checks)", "us_per_op": 120.0},
    {"primitive": "JWT verify RS256 (PyJWT + header checks)", "us_per_op": 140.0},
]


def test_transfer_refuted_when_a_forged_token_is_accepted() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], primitives=PRIMITIVES)
    run.security = security_document(failed_attacks={"token-header"})
    ruling = decide_tokens_transfer(run)
    assert ruling.verdict == Verdict.REFUTED
    assert "token-header: alg_none" in ruling.mishandled
    assert not ruling.deciding[0].above  # the cost alone would have supported it


def test_transfer_without_the_attack_battery_is_not_measured_and_names_the_command() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], primitives=PRIMITIVES)
    ruling = decide_tokens_transfer(run)
    assert ruling.verdict == Verdict.NOT_MEASURED and ruling.attacks == 0
    assert "make security" in ruling.missing
    # What was measured still decides a figure and shows: the public-key verify.
    assert (ruling.alg, ruling.verify_us) == ("RS256", 140.0)
    assert any("140 µs (RS256)" in line for line in tokens_transfer(run).evidence)


def test_transfer_without_the_issuer_s_cost_to_compare_is_not_measured() -> None:
    run = crafted([row("token-hs256", 400)], primitives=PRIMITIVES)
    run.security = security_document()
    ruling = decide_tokens_transfer(run)
    assert ruling.verdict == Verdict.NOT_MEASURED and ruling.deciding == ()
    assert "--only session-redis" in ruling.missing


def test_transfer_without_a_public_key_algorithm_is_not_measured() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], primitives=PRIMITIVES[:1])
    run.security = security_document()
    ruling = decide_tokens_transfer(run)
    assert ruling.verdict == Verdict.NOT_MEASURED
    assert "--experiments primitives" in ruling.missing


@pytest.mark.parametrize(("ask", "verdict"), [(139.0, Verdict.REFUTED), (141.0, Verdict.SUPPORTED)])
def test_transfer_at_both_sides_of_asking_the_issuer(ask: float, verdict: Verdict) -> None:
    run = crafted([row("session-redis", ask), row("token-hs256", 100)], primitives=PRIMITIVES)
    run.security = security_document()
    ruling = decide_tokens_transfer(run)
    assert ruling.verdict == verdict
    (cheaper,) = ruling.deciding
    assert cheaper.value == pytest.approx(140.0 / ask)
    assert (cheaper.threshold, cheaper.unit) == (1.0, "x")
    assert ruling.mishandled == () and ruling.attacks > 0


def test_transfer_says_whether_the_jwks_was_fetched_as_a_third_party_would() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], primitives=PRIMITIVES)
    run.security = security_document()
    assert any("jwks.json not exercised in this run" in e for e in tokens_transfer(run).evidence)
    run.security["attacks"].append(
        {"configuration": "token-header", "attack": "algorithm_confusion",
         "variant": "token-RS256-header-none", "passed": True,
         "detail": "HS256 keyed with the PEM of kid k1"}
    )  # fmt: skip
    evidence = tokens_transfer(run).evidence
    assert (
        "the public keys were fetched from /.well-known/jwks.json of token-RS256-header-none"
        in (evidence)
    )


def test_transfer_is_not_decided_by_where_the_browser_keeps_the_token() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], primitives=PRIMITIVES)
    run.security = security_document()  # header tokens stolen from localStorage by XSS
    stolen = decide_tokens_transfer(run)
    run.security = security_document(stolen=set())
    safe = decide_tokens_transfer(run)
    assert stolen.verdict == safe.verdict == Verdict.SUPPORTED
    assert stolen.deciding == safe.deciding


def _transfer_with_verify(us: float, us_min: float, us_max: float) -> ThirdPartyVerify:
    """Claim 6 with an RS256 verify timed at `us` (its batches from us_min to us_max) and
    session-redis's requests at 390, 400 and 410 µs over three repetitions."""
    primitives = [
        {"primitive": "JWT verify RS256 (PyJWT + header checks)", "us_per_op": us,
         "us_min": us_min, "us_max": us_max},
    ]  # fmt: skip
    phases = repetitions("session-redis", 390.0, 400.0, 410.0)
    run = crafted([row(v, 400) for v in SESSION_TOKEN], primitives=primitives, phases=phases)
    run.security = security_document()
    return decide_tokens_transfer(run)


def test_transfer_cost_interval_spans_the_verify_batches_and_the_issuer_s_interval() -> None:
    ruling = _transfer_with_verify(140.0, 135.0, 150.0)
    (cheaper,) = ruling.deciding
    assert cheaper.interval is not None and cheaper.interval.repetitions == 3
    # The fastest verify over the dearest issuer, and the slowest over the cheapest.
    assert cheaper.interval.low < 135 / 410 and cheaper.interval.high > 150 / 390
    assert cheaper.interval.high < 1.0 and ruling.verdict == Verdict.SUPPORTED


def test_transfer_is_not_decided_when_the_cost_interval_reaches_asking() -> None:
    ruling = _transfer_with_verify(380.0, 360.0, 420.0)
    assert ruling.verdict == Verdict.NOT_DECIDED and ruling.leaning == Verdict.SUPPORTED
