"""Where the state lives: sessions in server memory are a scalability problem; tokens are
more robust for distributed systems (scale-out without sticky routing, store outage)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reports import fmt
from reports.bands import BREAKS, CARRIES_ON, WORKS
from reports.claim import Verdict, experiment
from reports.intervals import Interval, proportion
from reports.load import RunData
from reports.margins import Decision
from reports.metrics import number, outage_stats
from reports.rules import cloud_topology
from reports.rules.ruling import (
    Failures,
    MemoryScaling,
    OutageRobustness,
    Serving,
    Setting,
    withhold,
)

# --- 2. sessions in server memory are a scalability problem ---------------------------


def scale_rows(run: RunData) -> dict[str, dict[str, Any]]:
    if run.scale_out.empty:
        return {}
    return {str(r["variant"]): dict(r) for _, r in run.scale_out.iterrows()}


def _is_shared_session(run: RunData, variant: str) -> bool:
    info = run.variant_info(variant)
    return info.get("kind") == "session" and info.get("store") not in ("memory", "-", None)


def _failed_interval(row: dict[str, Any]) -> Interval | None:
    """The failed share's Wilson interval, from the row's counts (None without them)."""
    requests, failed = number(row.get("requests")), number(row.get("failed"))
    if requests is None or failed is None:
        return None
    return proportion(int(failed), int(requests))


def _breaks_decision(variant: str, row: dict[str, Any]) -> Decision:
    """Failed share against BREAKS of what local state would give ((K-1)/K)."""
    rate = number(row.get("failure_rate")) or 0.0
    expected = number(row.get("expected_if_state_is_local")) or 0.5
    return Decision(
        f"{variant}: requests failed on {row.get('instances')} instances, no sticky routing",
        rate,
        BREAKS * expected,
        f"'breaks' from here: {BREAKS:.0%} of the {fmt.pct(expected)} local state would give",
        "%",
        interval=_failed_interval(row),
    )


def _works_decision(variant: str, row: dict[str, Any]) -> Decision:
    return Decision(
        f"{variant}: requests failed on {row.get('instances')} instances",
        number(row.get("failure_rate")) or 0.0,
        WORKS,
        "'works' below this",
        "%",
        interval=_failed_interval(row),
    )


def decide_memory_scalability(run: RunData) -> MemoryScaling:
    """Claim 2: the cloud topology decides where a run has it (reports.rules.cloud_topology). On
    one host: refuted where in-process sessions kept working on several instances;
    'depends' on where the sessions live where a shared store worked; supported where
    sessions broke, in a shared store as well (or it was not measured)."""
    judged = cloud_topology.decide_memory_scalability(run)
    if judged is not None:
        return judged
    rows = scale_rows(run)
    local = [v for v in rows if run.variant_info(v).get("store") == "memory"]
    if not local:
        return MemoryScaling(
            verdict=Verdict.NOT_MEASURED, missing=experiment("scale_out"), setting=Setting.ONE_HOST
        )
    failures = [
        Failures(v, number(rows[v].get("failure_rate")), _breaks_decision(v, rows[v]))
        for v in local
    ]
    shared = [
        Failures(v, number(rows[v].get("failure_rate")), _works_decision(v, rows[v]))
        for v in rows
        if _is_shared_session(run, v)
    ]
    ruling = MemoryScaling(
        verdict=Verdict.SUPPORTED,
        deciding=tuple(f.failed for f in [*failures, *shared]),
        setting=Setting.ONE_HOST,
        local=tuple(failures),
        shared=tuple(shared),
    )
    if not any(f.failed.above for f in failures):
        return withhold(replace(ruling, verdict=Verdict.REFUTED))
    if ruling.working:
        return withhold(replace(ruling, verdict=Verdict.DEPENDS))
    return withhold(ruling)


# --- 7. tokens are more robust for distributed systems in the cloud --------------------


def decide_tokens_robust(run: RunData) -> OutageRobustness:
    """Claim 7: the cloud topology decides where a run has it (reports.rules.cloud_topology). On
    one host, where stateless tokens and sessions both rode the store outage: refuted
    unless tokens carried on and sessions did not; supported where shared-store sessions
    also failed on several instances; 'depends' on the store's availability otherwise.
    Without the outage, tokens failing on several instances refute it, and nothing else
    can support it."""
    judged = cloud_topology.decide_tokens_robust(run)
    if judged is not None:
        return judged
    rows = scale_rows(run)
    # A variant whose normal rate is unknown (no full second with the store up) gives no
    # figure to judge: the evidence names it, and the verdict leaves it out.
    stats = {s.variant: s for s in outage_stats(run) if s.goodput is not None}
    if not rows and not stats:
        return OutageRobustness(
            verdict=Verdict.NOT_MEASURED,
            missing=experiment("scale_out,outage"),
            setting=Setting.ONE_HOST,
        )
    shared_sessions = [v for v in rows if _is_shared_session(run, v)]

    def scales(variants: list[str]) -> bool:
        return all((number(rows[v].get("failure_rate")) or 0.0) < WORKS for v in variants)

    def carry_on(variants: list[str]) -> bool:
        return all((stats[v].goodput or 0.0) >= CARRIES_ON for v in variants)

    def where(**wanted: str) -> list[str]:
        info = run.variant_info
        return [v for v in stats if all(info(v).get(k) == w for k, w in wanted.items())]

    stateless, denylist = where(state="client"), where(state="client+server")
    session_out = where(kind="session")
    ruling = OutageRobustness(
        verdict=Verdict.DEPENDS,
        deciding=tuple(
            Decision(
                f"{stat.variant}: throughput while the store was down / normal",
                float(stat.goodput or 0.0),
                CARRIES_ON,
                "'carries on' from here",
                "%",
                interval=stat.interval,
            )
            for stat in stats.values()
        ),
        setting=Setting.ONE_HOST,
        serving=tuple(Serving(s.variant, s.goodput) for s in stats.values()),
        shared_scale_measured=bool(shared_sessions),
        denylist_held=carry_on(denylist) if denylist else None,
    )
    if stateless and session_out:
        # The deny-list variant's share is shown, but does not make the verdict.
        among = tuple(
            d for d, v in zip(ruling.deciding, stats, strict=True) if v in stateless + session_out
        )
        if not carry_on(stateless) or carry_on(session_out):
            return withhold(replace(ruling, verdict=Verdict.REFUTED), among)
        if shared_sessions and not scales(shared_sessions):
            return withhold(replace(ruling, verdict=Verdict.SUPPORTED), among)
        return withhold(ruling, among)
    # Scale-out alone cannot answer "more robust": the outage is the other half.
    if not scales([v for v in rows if run.variant_info(v).get("kind") == "token"]):
        return OutageRobustness(
            verdict=Verdict.REFUTED, setting=Setting.ONE_HOST, outage_compared=False
        )
    return OutageRobustness(
        verdict=Verdict.NOT_MEASURED, missing=experiment("outage"), setting=Setting.ONE_HOST
    )
