"""Claims 2 and 7 judged on the cloud topology's rows (made-up numbers, known answers)."""

from __future__ import annotations

from reports.bands import CARRIES_ON
from reports.claim import Verdict
from reports.rules.cloud_topology import decide_memory_scalability, decide_tokens_robust
from reports.rules.ruling import Setting, Sooner
from reports.verdicts import memory_scalability, tokens_robust
from tests.reports.rules.crafted import BALANCER, FAILOVER, STICKY, cloud_run, store_down


def test_memory_sessions_depend_on_where_they_live_behind_haproxy() -> None:
    ruling = decide_memory_scalability(cloud_run(cloud_balancer=BALANCER, cloud_sticky_kill=STICKY))
    assert ruling is not None
    assert ruling.verdict == Verdict.DEPENDS and ruling.setting == Setting.CLOUD
    assert ruling.working == ("session-redis",)
    assert ruling.kept_through_kill == ("session-redis",)
    assert ruling.died_with_instance and ruling.forced_to_log_in == 10
    breaks = ruling.deciding[0]
    assert breaks.figure.startswith("session-memory: GET /me failed behind HAProxy round robin")
    assert (breaks.value, breaks.threshold) == (0.5, 0.25)
    # The page shows the cloud's evidence and figures for it.
    claim = memory_scalability(cloud_run(cloud_balancer=BALANCER, cloud_sticky_kill=STICKY))
    assert any("10 users forced to log in again (10 were pinned" in e for e in claim.evidence)
    assert "cloud-sticky-kill" in claim.figures


def test_memory_sessions_that_survive_the_balancer_refute_the_claim() -> None:
    working = [{**row, "failure_rate": 0.0} for row in BALANCER]
    ruling = decide_memory_scalability(cloud_run(cloud_balancer=working))
    assert ruling is not None and ruling.verdict == Verdict.REFUTED


def test_tokens_robust_only_for_their_lifetime_depends() -> None:
    ruling = decide_tokens_robust(
        cloud_run(cloud_store_down=store_down(0.3, 2.9), cloud_failover=FAILOVER)
    )
    assert ruling is not None
    assert ruling.verdict == Verdict.DEPENDS
    assert (ruling.served_s, ruling.lifetime_s, ruling.down_s) == (2.9, 3.0, 9.0)
    assert ruling.denylist_measured
    assert ruling.sooner == Sooner.ALIKE
    assert (ruling.token_recovery_s, ruling.session_recovery_s) == (2.9, 3.0)
    assert [(d.figure.split(":")[0], d.value, d.threshold) for d in ruling.deciding] == [
        ("token-hs256", 0.3, CARRIES_ON),
        ("session-redis", 0.0, CARRIES_ON),
    ]
    claim = tokens_robust(cloud_run(cloud_store_down=store_down(0.3, 2.9), cloud_failover=FAILOVER))
    assert any("Sentinel failover in 2.4 s" in e for e in claim.evidence)
    assert "cloud-store-down" in claim.figures


def test_a_failover_that_treats_one_side_slower_names_which_recovered_sooner() -> None:
    slow_sessions = [dict(FAILOVER[0], recovery_s=6.0), FAILOVER[1]]
    ruling = decide_tokens_robust(
        cloud_run(cloud_store_down=store_down(0.3, 2.9), cloud_failover=slow_sessions)
    )
    assert ruling is not None and ruling.sooner == Sooner.TOKENS


def test_tokens_that_carry_on_through_the_outage_support_the_claim() -> None:
    ruling = decide_tokens_robust(cloud_run(cloud_store_down=store_down(0.97, 8.9)))
    assert ruling is not None and ruling.verdict == Verdict.SUPPORTED


def test_tokens_no_better_than_sessions_refute_the_claim() -> None:
    ruling = decide_tokens_robust(cloud_run(cloud_store_down=store_down(0.0, 0.0)))
    assert ruling is not None and ruling.verdict == Verdict.REFUTED


def test_a_store_outage_without_both_sides_is_not_measured_but_keeps_its_evidence() -> None:
    sessions_only = [r for r in store_down(0.3, 2.9) if r["variant"] == "session-redis"]
    ruling = decide_tokens_robust(cloud_run(cloud_store_down=sessions_only))
    assert ruling is not None and ruling.verdict == Verdict.NOT_MEASURED
    assert "--experiments cloud_store_down" in ruling.missing
    claim = tokens_robust(cloud_run(cloud_store_down=sessions_only))
    assert any(e.startswith("store down 9.0 s: session-redis") for e in claim.evidence)


def test_without_cloud_rows_the_single_host_experiments_decide() -> None:
    assert decide_memory_scalability(cloud_run()) is None
    assert decide_tokens_robust(cloud_run()) is None
    assert tokens_robust(cloud_run()).verdict == Verdict.NOT_MEASURED
