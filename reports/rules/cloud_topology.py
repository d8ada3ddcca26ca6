"""Claims 2 and 7 judged on the cloud topology (`authlab bench --profile cloud`): HAProxy
in front of K instances, a Redis primary + replica + Sentinels, real failures. Where a run
holds these experiments they decide; reports.rules.state falls back to the single-host
scale-out and outage experiments otherwise."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from reports.bands import BREAKS, CARRIES_ON, WORKS
from reports.claim import Verdict, experiment
from reports.load import RunData
from reports.margins import Decision
from reports.metrics import number
from reports.rules.ruling import (
    Failures,
    MemoryScaling,
    OutageRobustness,
    Serving,
    Setting,
    Sooner,
)
from reports.rules.wording import seconds


def table_rows(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    if frame.empty or "variant" not in frame:
        return {}
    return {str(row["variant"]): dict(row) for _, row in frame.iterrows()}


def _is_memory(variant: str) -> bool:
    return variant == "session-memory"


def _is_shared_session(variant: str) -> bool:
    return variant.startswith("session-") and not _is_memory(variant)


def _stateless_token(variant: str) -> bool:
    return variant.startswith("token-") and "denylist" not in variant


# --- 2. sessions in server memory are a scalability problem ---------------------------


def decide_memory_scalability(run: RunData) -> MemoryScaling | None:
    """Claim 2 behind HAProxy (None when the run has no cloud balancer experiment):
    refuted where in-process sessions kept working behind a non-sticky balancer, 'depends'
    on where the sessions live where a shared store worked, supported otherwise."""
    balanced = table_rows(run.cloud_balancer)
    memory = [v for v in balanced if _is_memory(v)]
    if not memory:
        return None
    sticky = table_rows(run.cloud_sticky_kill)
    local = [
        Failures(
            v,
            number(balanced[v].get("failure_rate")),
            Decision(
                f"{v}: GET /me failed behind HAProxy round robin "
                f"({balanced[v].get('instances')} instances)",
                number(balanced[v].get("failure_rate")) or 0.0,
                BREAKS * (number(balanced[v].get("expected_if_state_is_local")) or 0.5),
                f"'breaks' from here: {BREAKS:.0%} of what local state would give",
                "%",
            ),
        )
        for v in memory
    ]
    shared = [
        Failures(
            v,
            number(balanced[v].get("failure_rate")),
            Decision(
                f"{v}: GET /me failed behind HAProxy round robin",
                number(balanced[v].get("failure_rate")) or 0.0,
                WORKS,
                "'works' below this",
                "%",
            ),
        )
        for v in balanced
        if _is_shared_session(v)
    ]
    lost = sticky.get(memory[0], {})
    ruling = MemoryScaling(
        verdict=Verdict.SUPPORTED,
        deciding=tuple(f.failed for f in [*local, *shared]),
        setting=Setting.CLOUD,
        local=tuple(local),
        shared=tuple(shared),
        forced_to_log_in=number(lost.get("users_forced_to_log_in")) if lost else None,
        sticky_users=number(lost.get("users")) if lost else None,
        sticky_measured=bool(sticky),
        killed_measured=bool(lost),
    )
    if not any(f.failed.above for f in local):
        return replace(ruling, verdict=Verdict.REFUTED)
    if ruling.working:
        kept = tuple(
            v
            for v in ruling.working
            if (number(sticky.get(v, {}).get("users_forced_to_log_in")) or 0) == 0
        )
        return replace(ruling, verdict=Verdict.DEPENDS, kept_through_kill=kept)
    return ruling


# --- 7. tokens are more robust for distributed systems in the cloud --------------------


def decide_tokens_robust(run: RunData) -> OutageRobustness | None:
    """Claim 7 on the cloud topology (None when the run has none of its store
    experiments): supported where stateless tokens carried on through the whole store
    outage and sessions did not; refuted where tokens did no better (or served nothing);
    'depends' on the outage being shorter than the token's lifetime otherwise."""
    down = table_rows(run.cloud_store_down)
    failover = table_rows(run.cloud_failover)
    if not down and not failover:
        return None
    tokens = [v for v in down if _stateless_token(v)]
    sessions = [v for v in down if _is_shared_session(v)]
    if not tokens or not sessions:
        return OutageRobustness(
            verdict=Verdict.NOT_MEASURED,
            missing=f"{experiment('cloud_store_down')} with session-redis and token-hs256",
            setting=Setting.CLOUD,
        )
    token_ok = min(number(down[v].get("success_while_down")) or 0.0 for v in tokens)
    session_ok = max(number(down[v].get("success_while_down")) or 0.0 for v in sessions)
    served = max(number(down[v].get("served_for_s")) or 0.0 for v in tokens)
    recovery = {v: number(row.get("recovery_s")) for v, row in failover.items()}
    ruling = OutageRobustness(
        verdict=Verdict.DEPENDS,
        deciding=tuple(
            Decision(
                f"{v}: share of requests OK while the store was down "
                f"{seconds(down[v].get('down_s'))}",
                number(down[v].get("success_while_down")) or 0.0,
                CARRIES_ON,
                "'carries on' from here",
                "%",
            )
            for v in [*tokens, *sessions]
        ),
        setting=Setting.CLOUD,
        serving=tuple(Serving(v, number(row.get("success_while_down"))) for v, row in down.items()),
        down_s=number(down[tokens[0]].get("down_s")),
        served_s=served,
        lifetime_s=max(number(down[v].get("access_ttl_s")) or 0.0 for v in tokens),
        recovery=tuple(recovery.items()),
        denylist_measured=any("denylist" in v for v in down),
    )
    ruling = _with_failover_comparison(ruling, recovery)
    if token_ok >= CARRIES_ON and session_ok < CARRIES_ON:
        return replace(ruling, verdict=Verdict.SUPPORTED)
    if token_ok <= session_ok or served <= 0.0:
        return replace(ruling, verdict=Verdict.REFUTED)
    return ruling


# Seconds within which two recoveries count as alike (one per-second bucket).
ALIKE_S = 1.0


def _with_failover_comparison(
    ruling: OutageRobustness, recovery: dict[str, float | None]
) -> OutageRobustness:
    """How a Sentinel failover treated tokens against sessions, from the measured seconds:
    the slowest recovery of each, and which was sooner (alike within ALIKE_S)."""
    tokens = [s for v, s in recovery.items() if _stateless_token(v) and s is not None]
    sessions = [s for v, s in recovery.items() if _is_shared_session(v) and s is not None]
    if not tokens or not sessions:
        return ruling
    token, session = max(tokens), max(sessions)
    if abs(token - session) <= ALIKE_S:
        sooner = Sooner.ALIKE
    else:
        sooner = Sooner.TOKENS if token < session else Sooner.SESSIONS
    return replace(ruling, sooner=sooner, token_recovery_s=token, session_recovery_s=session)
