"""Claims 2 and 7 judged on the cloud topology (`authlab bench --profile cloud`): HAProxy
in front of K instances, a Redis primary + replica + Sentinels, real failures. Where a run
holds these experiments they decide; reports.rules.state falls back to the single-host
scale-out and outage experiments otherwise."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reports import fmt
from reports.bands import BREAKS, CARRIES_ON, WORKS
from reports.claim import Claim, Verdict, experiment
from reports.load import RunData
from reports.margins import Decision
from reports.metrics import number

FIGURES = ["cloud-sticky-kill", "cloud-failover", "cloud-store-down"]


def _rows(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    if frame.empty or "variant" not in frame:
        return {}
    return {str(row["variant"]): dict(row) for _, row in frame.iterrows()}


def _is_memory(variant: str) -> bool:
    return variant == "session-memory"


def _is_shared_session(variant: str) -> bool:
    return variant.startswith("session-") and not _is_memory(variant)


def _stateless_token(variant: str) -> bool:
    return variant.startswith("token-") and "denylist" not in variant


def _seconds(value: Any) -> str:
    seconds = number(value)
    return "not within the run" if seconds is None else f"{seconds:.1f} s"


def _count(value: Any) -> str:
    counted = number(value)
    return "-" if counted is None else f"{counted:.0f}"


# --- 2. sessions in server memory are a scalability problem ---------------------------


def balancer_evidence(run: RunData) -> list[str]:
    return [
        f"HAProxy round robin, {row.get('instances')} instances: {variant} "
        f"{fmt.pct(row.get('failure_rate'))} of {fmt.count(row.get('requests'))} GET /me "
        f"failed, {_count(row.get('users_forced_to_log_in'))} of "
        f"{_count(row.get('users'))} users forced to log in again"
        for variant, row in _rows(run.cloud_balancer).items()
    ]


def sticky_evidence(run: RunData) -> list[str]:
    return [
        f"sticky routing, an instance SIGKILLed: {variant} "
        f"{_count(row.get('users_forced_to_log_in'))} users forced to log in again "
        f"({_count(row.get('users_on_killed_instance'))} were pinned to it), "
        f"{_count(row.get('failed_after'))} requests failed, HAProxy took it out after "
        f"{_seconds(row.get('seconds_until_out'))}, requests OK again after "
        f"{_seconds(row.get('recovery_s'))}"
        for variant, row in _rows(run.cloud_sticky_kill).items()
    ]


def memory_scalability(run: RunData) -> Claim | None:
    """None when the run has no cloud balancer experiment."""
    claim = "Sessions in server memory are a scalability problem."
    balanced = _rows(run.cloud_balancer)
    memory = [v for v in balanced if _is_memory(v)]
    if not memory:
        return None
    sticky = _rows(run.cloud_sticky_kill)
    evidence = balancer_evidence(run) + sticky_evidence(run)
    decisions = [
        Decision(
            f"{v}: GET /me failed behind HAProxy round robin ({balanced[v].get('instances')} "
            "instances)",
            number(balanced[v].get("failure_rate")) or 0.0,
            BREAKS * (number(balanced[v].get("expected_if_state_is_local")) or 0.5),
            f"'breaks' from here: {BREAKS:.0%} of what local state would give",
            "%",
        )
        for v in memory
    ]
    shared = [v for v in balanced if _is_shared_session(v)]
    decisions += [
        Decision(
            f"{v}: GET /me failed behind HAProxy round robin",
            number(balanced[v].get("failure_rate")) or 0.0,
            WORKS,
            "'works' below this",
            "%",
        )
        for v in shared
    ]
    figures = ["cloud-sticky-kill"]
    if not any(d.above for d in decisions[: len(memory)]):
        return Claim(
            "memory-scalability", claim, Verdict.REFUTED,
            "sessions in process memory kept working behind a non-sticky balancer",
            evidence, figures, decisions=decisions,
        )  # fmt: skip
    lost = sticky.get(memory[0], {})
    sentence = (
        f"Behind HAProxy without stickiness, sessions in one process's memory fail "
        f"{fmt.pct(balanced[memory[0]].get('failure_rate'))} of requests"
    )
    if lost:
        sentence += (
            f"; with sticky routing, killing one instance forces "
            f"{_count(lost.get('users_forced_to_log_in'))} of {_count(lost.get('users'))} "
            "users to log in again"
        )
    working = [v for v in shared if (number(balanced[v].get("failure_rate")) or 0.0) < WORKS]
    if working:
        kept = [
            v
            for v in working
            if (number(sticky.get(v, {}).get("users_forced_to_log_in")) or 0) == 0
        ]
        died = (number(lost.get("users_forced_to_log_in")) or 0) > 0
        condition = (
            "where the sessions live: in one process's memory they break behind a "
            "non-sticky balancer"
            + (" and die with their instance behind a sticky one" if died else "")
            + f"; in a shared store ({', '.join(working)}) they do "
            + ("neither" if died else "not")
            + ("" if kept == working or not sticky else " (but see the instance kill)")
        )
        return Claim(
            "memory-scalability", claim, Verdict.DEPENDS, condition, evidence, figures,
            decisions=decisions,
            sentence=sentence + f"; in a shared store ({', '.join(working)}) none of that.",
        )  # fmt: skip
    return Claim(
        "memory-scalability", claim, Verdict.SUPPORTED,
        "sessions broke behind the balancer"
        + (", in a shared store as well" if shared else "; a shared store was not measured"),
        evidence, figures, decisions=decisions, sentence=sentence + ".",
    )  # fmt: skip


# --- 7. tokens are more robust for distributed systems in the cloud --------------------


def failover_evidence(run: RunData) -> list[str]:
    lines = []
    for variant, row in _rows(run.cloud_failover).items():
        lost = [
            f"{_count(row.get(column))} of {_count(row.get('probes'))} {what}"
            for column, what in (
                ("sessions_lost", "sessions lost"),
                ("revocations_lost", "revocations lost"),
                ("refresh_tokens_lost", "refresh tokens lost"),
            )
            if number(row.get(column)) is not None
        ]
        lines.append(
            f"store primary SIGKILLed, Sentinel failover in {_seconds(row.get('failover_s'))}: "
            f"{variant} requests OK again after {_seconds(row.get('recovery_s'))}, "
            f"{_count(row.get('failed_after'))} failed, "
            f"{_count(row.get('users_forced_to_log_in'))} users forced to log in again"
            + (f"; {', '.join(lost)}" if lost else "")
        )
    return lines


def store_down_evidence(run: RunData) -> list[str]:
    lines = []
    for variant, row in _rows(run.cloud_store_down).items():
        ttl = number(row.get("access_ttl_s"))
        lifetime = f" (access tokens live {ttl:.0f} s)" if ttl else ""
        lines.append(
            f"store down {_seconds(row.get('down_s'))}{lifetime}: {variant} "
            f"{fmt.pct(row.get('success_while_down'))} OK while down, GET /me served for "
            f"{_seconds(row.get('served_for_s'))} of it, OK again "
            f"{_seconds(row.get('recovery_after_back_s'))} after the store was back"
        )
    return lines


def restart_evidence(run: RunData) -> list[str]:
    frame = run.cloud_store_restart
    if frame.empty:
        return []
    lines = []
    for _, row in frame.iterrows():
        lost = [
            f"{_count(row.get(column))} of {_count(row.get('probes'))} {what}"
            for column, what in (
                ("sessions_lost", "sessions lost"),
                ("revocations_lost", "revoked tokens accepted again"),
                ("refresh_tokens_lost", "refresh tokens lost"),
            )
            if number(row.get(column)) is not None
        ]
        lines.append(
            f"store restarted, persistence {row.get('persistence')}: {row.get('variant')} "
            + ", ".join(lost)
        )
    return lines


def tokens_robust(run: RunData) -> Claim | None:
    """None when the run has none of the cloud store experiments."""
    claim = "Tokens are more robust for distributed systems in the cloud."
    down = _rows(run.cloud_store_down)
    failover = _rows(run.cloud_failover)
    if not down and not failover:
        return None
    evidence = (
        balancer_evidence(run)
        + sticky_evidence(run)
        + failover_evidence(run)
        + store_down_evidence(run)
        + restart_evidence(run)
    )
    tokens = [v for v in down if _stateless_token(v)]
    sessions = [v for v in down if _is_shared_session(v)]
    if not tokens or not sessions:
        return Claim(
            "tokens-robust", claim, Verdict.NOT_MEASURED,
            f"run {experiment('cloud_store_down')} with session-redis and token-hs256",
            evidence, FIGURES,
        )  # fmt: skip
    decisions = [
        Decision(
            f"{v}: share of requests OK while the store was down {_seconds(down[v].get('down_s'))}",
            number(down[v].get("success_while_down")) or 0.0,
            CARRIES_ON,
            "'carries on' from here",
            "%",
        )
        for v in [*tokens, *sessions]
    ]
    token_ok = min(number(down[v].get("success_while_down")) or 0.0 for v in tokens)
    session_ok = max(number(down[v].get("success_while_down")) or 0.0 for v in sessions)
    served = max(number(down[v].get("served_for_s")) or 0.0 for v in tokens)
    ttl = max(number(down[v].get("access_ttl_s")) or 0.0 for v in tokens)
    recovery = {v: number(row.get("recovery_s")) for v, row in failover.items()}
    sentence = (
        f"With the store down {_seconds(down[tokens[0]].get('down_s'))}, "
        + ", ".join(f"{v} answers {fmt.pct(down[v].get('success_while_down'))}" for v in down)
        + f" of requests; stateless tokens serve {served:.1f} s, their {ttl:.0f} s lifetime"
        + (
            ", and a Sentinel failover costs "
            + ", ".join(f"{v} {_seconds(s)}" for v, s in recovery.items())
            if recovery
            else ""
        )
        + "."
    )
    if token_ok >= CARRIES_ON and session_ok < CARRIES_ON:
        return Claim(
            "tokens-robust", claim, Verdict.SUPPORTED,
            "stateless tokens carried on through the whole store outage; sessions did not",
            evidence, FIGURES, decisions=decisions, sentence=sentence,
        )  # fmt: skip
    if token_ok <= session_ok or served <= 0.0:
        return Claim(
            "tokens-robust", claim, Verdict.REFUTED,
            "tokens did not ride out the store outage better than sessions",
            evidence, FIGURES, decisions=decisions, sentence=sentence,
        )  # fmt: skip
    denylist = [v for v in down if "denylist" in v]
    condition = (
        "the outage being shorter than the access token's lifetime: a stateless token "
        f"served {served:.1f} s of the outage ({ttl:.0f} s lifetime), then refresh and "
        "login need the store (refresh families live there) and fail like sessions"
        + ("; a deny list brings the dependency back at once" if denylist else "")
        + _failover_comparison(recovery)
    )
    return Claim(
        "tokens-robust", claim, Verdict.DEPENDS, condition, evidence, FIGURES,
        decisions=decisions, sentence=sentence,
    )  # fmt: skip


# Seconds within which two recoveries count as alike (one per-second bucket).
ALIKE_S = 1.0


def _failover_comparison(recovery: dict[str, float | None]) -> str:
    """How a Sentinel failover treated tokens against sessions, from the measured seconds."""
    tokens = [s for v, s in recovery.items() if _stateless_token(v) and s is not None]
    sessions = [s for v, s in recovery.items() if _is_shared_session(v) and s is not None]
    if not tokens or not sessions:
        return ""
    token, session = max(tokens), max(sessions)
    if abs(token - session) <= ALIKE_S:
        return f"; a Sentinel failover cost both alike ({token:.1f} s and {session:.1f} s)"
    better = "tokens" if token < session else "sessions"
    return (
        f"; a Sentinel failover cost tokens {token:.1f} s and sessions {session:.1f} s "
        f"({better} recovered sooner)"
    )
