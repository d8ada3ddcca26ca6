"""Where the state lives, on one host (claims 2 and 7): the rulings against crafted runs."""

from __future__ import annotations

import pytest

from reports.bands import BREAKS, CARRIES_ON, WORKS
from reports.claim import Verdict
from reports.rules.ruling import Setting
from reports.rules.state import decide_memory_scalability, decide_tokens_robust
from tests.reports.rules.crafted import SESSION_TOKEN, crafted, outage, row, scale_out

# --- 2. sessions in server memory are a scalability problem ---------------------------


def test_memory_depends_on_where_sessions_live_when_a_shared_store_works() -> None:
    ruling = decide_memory_scalability(
        crafted([row("session-redis", 400)], scale_out=scale_out(0.48))
    )
    assert ruling.verdict == Verdict.DEPENDS
    assert ruling.setting == Setting.ONE_HOST
    assert [f.variant for f in ruling.local] == ["session-memory"]
    assert ruling.working == ("session-redis",)
    breaks, works = ruling.deciding
    assert (breaks.value, breaks.threshold, breaks.unit) == (0.48, BREAKS * 0.5, "%")
    assert breaks.figure == "session-memory: requests failed on 2 instances, no sticky routing"
    assert (works.value, works.threshold) == (0.0, WORKS)


@pytest.mark.parametrize(
    ("requests", "verdict"), [(311, Verdict.NOT_DECIDED), (640, Verdict.DEPENDS)]
)
def test_memory_works_only_with_requests_enough_to_tell_none_failed_from_one_percent(
    requests: int, verdict: Verdict
) -> None:
    # No Redis request failed; 0 of 311 still leaves 1.2% possible (Wilson), 0 of 640 0.6%.
    rows = [
        {"variant": "session-memory", "instances": 2, "requests": requests,
         "failed": requests // 2, "failure_rate": (requests // 2) / requests,
         "expected_if_state_is_local": 0.5},
        {"variant": "session-redis", "instances": 2, "requests": requests, "failed": 0,
         "failure_rate": 0.0, "expected_if_state_is_local": 0.0},
    ]  # fmt: skip
    ruling = decide_memory_scalability(crafted([row("session-redis", 400)], scale_out=rows))
    assert ruling.verdict == verdict
    breaks, works = ruling.deciding
    assert breaks.interval is not None and breaks.interval.counted == "requests"
    assert breaks.decided  # half failed: far from the 25% line at either size
    assert works.interval is not None and works.interval.low == 0
    assert (works.interval.high > WORKS) == (verdict == Verdict.NOT_DECIDED)


def test_memory_supported_when_local_sessions_break_and_no_shared_store_was_tried() -> None:
    run = crafted([row("session-redis", 400)], scale_out=scale_out(0.5, redis=None))
    ruling = decide_memory_scalability(run)
    assert ruling.verdict == Verdict.SUPPORTED and ruling.shared == ()


def test_memory_supported_when_the_shared_store_fails_too() -> None:
    run = crafted([row("session-redis", 400)], scale_out=scale_out(0.5, redis=0.3))
    ruling = decide_memory_scalability(run)
    assert ruling.verdict == Verdict.SUPPORTED
    assert ruling.working == () and ruling.shared[0].failed.above


def test_memory_refuted_when_local_sessions_keep_working() -> None:
    # Sticky routing, say: in-process sessions did not break.
    run = crafted([row("session-redis", 400)], scale_out=scale_out(0.02))
    assert decide_memory_scalability(run).verdict == Verdict.REFUTED


def test_memory_not_measured_without_the_experiment() -> None:
    ruling = decide_memory_scalability(crafted([row("session-redis", 400)]))
    assert ruling.verdict == Verdict.NOT_MEASURED
    assert "--experiments scale_out" in ruling.missing


@pytest.mark.parametrize(
    ("failed", "verdict"), [(0.24, Verdict.REFUTED), (0.26, Verdict.SUPPORTED)]
)
def test_memory_breaks_at_half_the_failures_local_state_would_give(
    failed: float, verdict: Verdict
) -> None:
    run = crafted([row("session-redis", 400)], scale_out=scale_out(failed, redis=0.3))
    ruling = decide_memory_scalability(run)
    assert ruling.verdict == verdict
    assert ruling.deciding[0].threshold == pytest.approx(0.25)
    assert ruling.deciding[0].margin == pytest.approx(failed - 0.25)


@pytest.mark.parametrize(
    ("failed", "verdict"), [(0.009, Verdict.DEPENDS), (0.011, Verdict.SUPPORTED)]
)
def test_a_shared_store_works_under_one_percent_failed(failed: float, verdict: Verdict) -> None:
    run = crafted([row("session-redis", 400)], scale_out=scale_out(0.5, redis=failed))
    assert decide_memory_scalability(run).verdict == verdict


# --- 7. tokens are more robust for distributed systems --------------------------------


def test_robust_depends_on_the_store_availability() -> None:
    run = crafted(
        [row(v, 400) for v in SESSION_TOKEN],
        scale_out=scale_out(0.5),
        outage=outage(session_ok=0, token_ok=80),
    )
    ruling = decide_tokens_robust(run)
    assert ruling.verdict == Verdict.DEPENDS
    assert ruling.shared_scale_measured and ruling.denylist_held is None
    assert [(s.variant, s.share) for s in ruling.serving] == [
        ("session-redis", 0.0),
        ("token-hs256", 1.0),
    ]


def test_robust_notes_the_deny_list_bringing_the_store_back() -> None:
    run = crafted(
        [row(v, 400) for v in (*SESSION_TOKEN, "token-hs256-denylist")],
        outage=outage(session_ok=0, token_ok=80, denylist_ok=0),
    )
    ruling = decide_tokens_robust(run)
    assert ruling.verdict == Verdict.DEPENDS and ruling.denylist_held is False


def test_robust_refuted_when_sessions_ride_out_the_outage_too() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], outage=outage(80, 80))
    ruling = decide_tokens_robust(run)
    assert ruling.verdict == Verdict.REFUTED and ruling.outage_compared


def test_robust_refuted_when_tokens_fail_in_the_outage() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], outage=outage(0, 10))
    assert decide_tokens_robust(run).verdict == Verdict.REFUTED


def test_robust_supported_when_shared_sessions_fail_to_scale_and_in_the_outage() -> None:
    run = crafted(
        [row(v, 400) for v in SESSION_TOKEN],
        scale_out=scale_out(0.5, redis=0.3),
        outage=outage(0, 80),
    )
    assert decide_tokens_robust(run).verdict == Verdict.SUPPORTED


@pytest.mark.parametrize(
    ("token_ok", "verdict", "leaning"),
    [
        (68, Verdict.REFUTED, None),
        (71, Verdict.NOT_DECIDED, Verdict.REFUTED),
        (73, Verdict.NOT_DECIDED, Verdict.DEPENDS),
        (76, Verdict.DEPENDS, None),
    ],
)
def test_robust_tokens_carry_on_from_ninety_percent_of_normal(
    token_ok: int, verdict: Verdict, leaning: Verdict | None
) -> None:
    # 80 answers a second is normal: 68 is 85%, 71 89%, 73 91%, 76 95%. Two seconds down
    # and three steady ones a variant (the second it recovered in is left out), alike to
    # the request (noise: one request a second, pooled over both variants, 4 degrees of
    # freedom): the interval is about +-3 points, so 89% and 91% cannot be told from the
    # 90% line, and the verdict says so.
    run = crafted([row(v, 400) for v in SESSION_TOKEN], outage=outage(0, token_ok))
    ruling = decide_tokens_robust(run)
    assert (ruling.verdict, ruling.leaning) == (verdict, leaning)
    token = next(d for d in ruling.deciding if d.figure.startswith("token-hs256"))
    assert token.threshold == CARRIES_ON and token.value == pytest.approx(token_ok / 80)
    assert token.interval is not None and token.interval.counted == "seconds"
    assert token.interval.low < token.value < token.interval.high
    assert token.interval.high - token.interval.low == pytest.approx(0.060, abs=0.005)
    session = next(d for d in ruling.deciding if d.figure.startswith("session-redis"))
    assert session.value == 0 and session.interval is not None and session.decided


def test_robust_refuted_by_tokens_failing_to_scale_out_without_an_outage() -> None:
    rows = [
        *scale_out(0.5),
        {"variant": "token-hs256", "instances": 2, "requests": 100, "failure_rate": 0.2,
         "expected_if_state_is_local": 0.0},
    ]  # fmt: skip
    ruling = decide_tokens_robust(crafted([row(v, 400) for v in SESSION_TOKEN], scale_out=rows))
    assert ruling.verdict == Verdict.REFUTED
    assert not ruling.outage_compared and ruling.deciding == ()


def test_robust_from_scale_out_alone_is_not_measured_and_names_the_outage() -> None:
    run = crafted([row(v, 400) for v in SESSION_TOKEN], scale_out=scale_out(0.5))
    ruling = decide_tokens_robust(run)
    assert ruling.verdict == Verdict.NOT_MEASURED
    assert "--experiments outage" in ruling.missing


def test_robust_not_measured_without_either_experiment() -> None:
    ruling = decide_tokens_robust(crafted([row(v, 400) for v in SESSION_TOKEN]))
    assert ruling.verdict == Verdict.NOT_MEASURED
    assert "--experiments scale_out,outage" in ruling.missing
