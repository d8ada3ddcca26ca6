"""Where the state lives: sessions in server memory are a scalability problem; tokens are
more robust for distributed systems (scale-out without sticky routing, store outage)."""

from __future__ import annotations

from typing import Any

from reports import fmt
from reports.bands import (
    BREAKS,
    CARRIES_ON,
    WORKS,
)
from reports.claim import (
    Claim,
    Verdict,
    experiment,
)
from reports.load import RunData
from reports.margins import Decision
from reports.metrics import (
    number,
    outage_stats,
    session_bytes,
)
from reports.rules.wording import not_measured

# --- 2. sessions in server memory are a scalability problem ---------------------------


def _scale_rows(run: RunData) -> dict[str, dict[str, Any]]:
    if run.scale_out.empty:
        return {}
    return {str(r["variant"]): dict(r) for _, r in run.scale_out.iterrows()}


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
    )


def _works_decision(variant: str, row: dict[str, Any]) -> Decision:
    return Decision(
        f"{variant}: requests failed on {row.get('instances')} instances",
        number(row.get("failure_rate")) or 0.0,
        WORKS,
        "'works' below this",
        "%",
    )


def memory_scalability(run: RunData) -> Claim:
    from reports.rules import cloud  # the cloud topology decides where a run has it

    judged = cloud.memory_scalability(run)
    if judged is not None:
        return judged
    claim = "Sessions in server memory are a scalability problem."
    rows = _scale_rows(run)
    local = [v for v in rows if run.variant_info(v).get("store") == "memory"]
    shared = [
        v
        for v in rows
        if run.variant_info(v).get("kind") == "session"
        and run.variant_info(v).get("store") not in ("memory", "-", None)
    ]
    evidence = [
        f"{v}: {fmt.pct(rows[v].get('failure_rate'))} of {fmt.count(rows[v].get('requests'))} "
        f"requests failed on {rows[v].get('instances')} instances without sticky routing "
        f"(local state would give {fmt.pct(rows[v].get('expected_if_state_is_local'))})"
        for v in rows
    ]
    for store, where in (("memory", "process memory"), ("redis", "Redis")):
        per_session = session_bytes(run, store)
        if per_session is not None:
            evidence.append(
                f"{fmt.size(per_session)} per session in {where}: "
                f"1M sessions would take {fmt.size(per_session * 1e6)} (extrapolated)"
            )
    figures = ["scale-out", "sessions"]
    if not local:
        return not_measured("memory-scalability", claim, experiment("scale_out"))
    decisions = [_breaks_decision(v, rows[v]) for v in local]
    decisions += [_works_decision(v, rows[v]) for v in shared]
    if not any(d.above for d in decisions[: len(local)]):
        return Claim(
            "memory-scalability", claim, Verdict.REFUTED,
            "in-process sessions kept working on several instances", evidence, figures,
            decisions=decisions,
        )  # fmt: skip
    working = [v for v in shared if (number(rows[v].get("failure_rate")) or 0.0) < WORKS]
    failed = ", ".join(f"{v} {fmt.pct(rows[v].get('failure_rate'))}" for v in local)
    sentence = (
        f"Sessions kept in one process's memory fail behind a non-sticky balancer ({failed} failed)"
    )
    if working:
        return Claim(
            "memory-scalability", claim, Verdict.DEPENDS,
            f"where the sessions live: in one process's memory they break behind a "
            f"non-sticky balancer, in a shared store ({', '.join(working)}) they do not",
            evidence, figures, decisions=decisions,
            sentence=sentence + f"; in a shared store ({', '.join(working)}) they do not.",
        )  # fmt: skip
    if not shared:
        return Claim(
            "memory-scalability", claim, Verdict.SUPPORTED,
            "sessions in process memory broke on several instances; a shared store was not "
            "measured: run " + experiment("scale_out") + " with session-redis",
            evidence, figures, decisions=decisions, sentence=sentence + ".",
        )  # fmt: skip
    return Claim(
        "memory-scalability", claim, Verdict.SUPPORTED,
        "sessions broke on several instances, in a shared store as well", evidence, figures,
        decisions=decisions, sentence=sentence + ", and in a shared store as well.",
    )  # fmt: skip


# --- 7. tokens are more robust for distributed systems in the cloud --------------------


def tokens_robust(run: RunData) -> Claim:
    from reports.rules import cloud  # the cloud topology decides where a run has it

    judged = cloud.tokens_robust(run)
    if judged is not None:
        return judged
    claim = "Tokens are more robust for distributed systems in the cloud."
    rows = _scale_rows(run)
    every = outage_stats(run)
    # A variant whose normal rate is unknown (no full second with the store up) gives no
    # figure to judge: it is named in the evidence, and left out of the verdict.
    stats = {s.variant: s for s in every if s.goodput is not None}
    if not rows and not stats:
        return not_measured("tokens-robust", claim, experiment("scale_out,outage"))
    evidence = []
    for variant, row in rows.items():
        evidence.append(
            f"scale-out, {row.get('instances')} instances: {variant} "
            f"{fmt.pct(row.get('failure_rate'))} failed"
        )
    for stat in stats.values():
        success = "no answer" if stat.success_rate is None else f"{fmt.pct(stat.success_rate)} OK"
        recovered = (
            ""
            if stat.recovered_after_s is None
            else f", normal again {stat.recovered_after_s} s after"
        )
        slowest = (
            "" if stat.slowest_us is None else f", slowest answer {fmt.duration(stat.slowest_us)}"
        )
        evidence.append(
            f"in the {stat.seconds_down} s the store was down throughout: {stat.variant} "
            f"{success}, "
            f"{fmt.pct(stat.goodput)} of its normal throughput{slowest}{recovered}"
        )
    for stat in every:
        if stat.goodput is None:
            evidence.append(
                f"store down: {stat.variant}'s normal throughput is unknown (no full second "
                "with the store up): not judged"
            )
    figures = ["outage", "scale-out"]
    decisions = [
        Decision(
            f"{stat.variant}: throughput while the store was down / normal",
            float(stat.goodput or 0.0),
            CARRIES_ON,
            "'carries on' from here",
            "%",
        )
        for stat in stats.values()
    ]
    sentence = ""
    if stats:
        sentence = (
            "When the store stops answering, "
            + ", ".join(f"{s.variant} serves {fmt.pct(s.goodput)}" for s in stats.values())
            + " of its normal throughput."
        )
    shared_sessions = [
        v
        for v in rows
        if run.variant_info(v).get("kind") == "session"
        and run.variant_info(v).get("store") not in ("memory", "-", None)
    ]
    shared_scales = all(
        (number(rows[v].get("failure_rate")) or 0.0) < WORKS for v in shared_sessions
    )
    token_rows = [v for v in rows if run.variant_info(v).get("kind") == "token"]
    tokens_scale = all((number(rows[v].get("failure_rate")) or 0.0) < WORKS for v in token_rows)
    stateless = [v for v in stats if run.variant_info(v).get("state") == "client"]
    denylist = [v for v in stats if run.variant_info(v).get("state") == "client+server"]
    session_out = [v for v in stats if run.variant_info(v).get("kind") == "session"]
    if stateless and session_out:
        tokens_carry_on = all((stats[v].goodput or 0.0) >= CARRIES_ON for v in stateless)
        sessions_carry_on = all((stats[v].goodput or 0.0) >= CARRIES_ON for v in session_out)
        if not tokens_carry_on or sessions_carry_on:
            return Claim(
                "tokens-robust",
                claim,
                Verdict.REFUTED,
                "tokens did not ride out the store outage better than sessions",
                evidence,
                figures,
                decisions=decisions,
                sentence=sentence,
            )
        if shared_sessions and not shared_scales:
            return Claim(
                "tokens-robust",
                claim,
                Verdict.SUPPORTED,
                "sessions failed both on several instances and when their store was down",
                evidence,
                figures,
                decisions=decisions,
                sentence=sentence,
            )
        condition = (
            "the session store's availability: sessions in a shared store scale out "
            + ("as well" if shared_sessions else f"(not measured: run {experiment('scale_out')})")
            + ", but stop answering while it is down, when stateless tokens carry on"
        )
        if denylist:
            held = all((stats[v].goodput or 0.0) >= CARRIES_ON for v in denylist)
            condition += "; a deny list " + (
                "kept working" if held else "brings the dependency back"
            )
        return Claim(
            "tokens-robust", claim, Verdict.DEPENDS, condition, evidence, figures,
            decisions=decisions, sentence=sentence,
        )  # fmt: skip
    # Scale-out alone cannot answer "more robust": the outage is the other half.
    if not tokens_scale:
        return Claim(
            "tokens-robust", claim, Verdict.REFUTED, "tokens failed on several instances", evidence,
            figures,
        )  # fmt: skip
    return not_measured("tokens-robust", claim, experiment("outage"))
