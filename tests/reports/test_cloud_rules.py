"""Claims 2 and 7 judged on the cloud topology's rows (made-up numbers, known answers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from reports.load import RunData
from reports.rules.state import memory_scalability, tokens_robust


def _run(**tables: list[dict[str, Any]]) -> RunData:
    return RunData(directory=Path("."), **{k: pd.DataFrame(v) for k, v in tables.items()})


BALANCER = [
    {"variant": "session-memory", "instances": 2, "requests": 400, "failed": 200,
     "failure_rate": 0.5, "expected_if_state_is_local": 0.5, "users_forced_to_log_in": 20,
     "users": 20},
    {"variant": "session-redis", "instances": 2, "requests": 400, "failed": 0,
     "failure_rate": 0.0, "expected_if_state_is_local": 0.0, "users_forced_to_log_in": 0,
     "users": 20},
    {"variant": "token-hs256", "instances": 2, "requests": 400, "failed": 0,
     "failure_rate": 0.0, "expected_if_state_is_local": 0.0, "users_forced_to_log_in": 0,
     "users": 20},
]  # fmt: skip
STICKY = [
    {"variant": "session-memory", "users_forced_to_log_in": 10, "users_on_killed_instance": 10,
     "users": 20, "failed_after": 3, "seconds_until_out": 0.4, "recovery_s": 2.1},
    {"variant": "session-redis", "users_forced_to_log_in": 0, "users_on_killed_instance": 10,
     "users": 20, "failed_after": 2, "seconds_until_out": 0.4, "recovery_s": 2.0},
]  # fmt: skip


def _down(token_ok: float, served: float) -> list[dict[str, Any]]:
    return [
        {"variant": "session-redis", "down_s": 9.0, "success_while_down": 0.0,
         "served_for_s": None, "recovery_after_back_s": 0.5, "access_ttl_s": None},
        {"variant": "token-hs256", "down_s": 9.0, "success_while_down": token_ok,
         "served_for_s": served, "recovery_after_back_s": 0.4, "access_ttl_s": 3},
        {"variant": "token-hs256-denylist", "down_s": 9.0, "success_while_down": 0.0,
         "served_for_s": None, "recovery_after_back_s": 0.4, "access_ttl_s": 3},
    ]  # fmt: skip


FAILOVER = [
    {"variant": "session-redis", "failover_s": 2.4, "recovery_s": 3.0, "failed_after": 50,
     "users_forced_to_log_in": 0, "probes": 20, "sessions_lost": 0},
    {"variant": "token-hs256", "failover_s": 2.3, "recovery_s": 2.9, "failed_after": 12,
     "users_forced_to_log_in": 0, "probes": 20, "refresh_tokens_lost": 0},
]  # fmt: skip


def test_memory_sessions_depend_on_where_they_live_behind_haproxy() -> None:
    claim = memory_scalability(_run(cloud_balancer=BALANCER, cloud_sticky_kill=STICKY))
    assert claim.verdict == "depends"
    assert "shared store (session-redis)" in claim.condition
    assert any("10 users forced to log in again (10 were pinned" in e for e in claim.evidence)
    assert "cloud-sticky-kill" in claim.figures


def test_memory_sessions_that_survive_the_balancer_refute_the_claim() -> None:
    working = [{**row, "failure_rate": 0.0} for row in BALANCER]
    assert memory_scalability(_run(cloud_balancer=working)).verdict == "refuted"


def test_tokens_robust_only_for_their_lifetime_depends() -> None:
    claim = tokens_robust(_run(cloud_store_down=_down(0.3, 2.9), cloud_failover=FAILOVER))
    assert claim.verdict == "depends"
    assert "shorter than the access token's lifetime" in claim.condition
    assert "deny list" in claim.condition
    assert any("Sentinel failover in 2.4 s" in e for e in claim.evidence)
    assert "failover cost both alike (2.9 s and 3.0 s)" in claim.condition
    assert "cloud-store-down" in claim.figures


def test_tokens_that_carry_on_through_the_outage_support_the_claim() -> None:
    assert tokens_robust(_run(cloud_store_down=_down(0.97, 8.9))).verdict == "supported"


def test_tokens_no_better_than_sessions_refute_the_claim() -> None:
    assert tokens_robust(_run(cloud_store_down=_down(0.0, 0.0))).verdict == "refuted"


def test_without_cloud_rows_the_single_host_experiments_still_decide() -> None:
    claim = tokens_robust(_run())
    assert claim.verdict == "not measured"
    assert "outage" in claim.condition or "scale_out" in claim.condition


def test_the_capacity_model_states_its_topology_and_the_measured_failover() -> None:
    from reports.capacity import topology_lines

    assert topology_lines(_run())[0].startswith("topology: K identical server instances")
    run = _run(cloud_failover=FAILOVER, cloud_sticky_kill=STICKY)
    run.topology = {
        "cloud_failover session-redis": [
            {"role": "haproxy (roundrobin)", "address": "127.0.0.2:4000"},
            {"role": "sentinel", "address": "127.0.0.32:4001"},
        ]
    }
    lines = topology_lines(run)
    assert any("haproxy 127.0.0.2, sentinel 127.0.0.32" in line for line in lines)
    assert any("session-redis 3.0 s, token-hs256 2.9 s" in line for line in lines)
    assert any("session-memory 10 of 20 users" in line for line in lines)
