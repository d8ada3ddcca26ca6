"""The cost rules: sessions put a heavy load on the server; tokens do not load it and
need nothing stored; token authentication is "much better and efficient".

Costs are compared like for like (reports.costs.PAIRS): the deployable defaults
(session-redis against token-hs256, whose logout does not end the token) and equal
logout (session-redis against token-hs256-denylist).

Each claim has a `decide_*` function that returns its typed ruling (reports.rules.ruling);
reports.rules.wording says it in words, reports.rules.evidence lists the run's figures."""

from __future__ import annotations

from dataclasses import replace

from reports import costs, fmt, resident, xss
from reports.bands import (
    HEAVY,
    NO_LOAD_SHARE,
    RUN_TO_RUN,
    capacity_decision,
    check_ratio_decision,
    ratio_decision,
)
from reports.claim import Verdict, experiment, security_command, variants_command
from reports.load import RunData
from reports.margins import Decision
from reports.metrics import (
    measured,
    security_rows,
    session_bytes,
)
from reports.rules.ruling import (
    Caveat,
    Growth,
    HeavyLoad,
    NoLoad,
    NothingStored,
    PairGains,
    PairRatio,
    TokensBetter,
    TokensFree,
    withhold,
)

# The variants of the like-for-like pairs, for the command that measures them.
PAIR_VARIANTS = tuple(dict.fromkeys(name for pair in costs.PAIRS for name in pair[:2]))


def _measure(run: RunData) -> str:
    """The per-request figure the cost claims compare."""
    return "CPU per GET /me" if costs.get_only(run) else "CPU per request (mixed phase)"


def median_us(run: RunData, variant: str) -> float | None:
    cost = costs.request_cost(run, variant)
    return cost.median if cost else None


def saturated(run: RunData, variants: list[str]) -> list[str]:
    """Those of `variants` whose load generator was the limit."""
    return [v for v in variants if bool((run.summary_row(v) or {}).get("generator_saturated"))]


# --- 1. sessions put a heavy load on the server ("with an excessive number of users") --


def resident_growth(run: RunData) -> list[Growth]:
    """From resident_sessions.csv over its rounds (reports.resident): how a request's cost
    grows with the sessions held, with its interval where the rounds give one."""
    found = []
    for g in resident.growth(run):
        cpu = Decision(
            f"{g.store}: CPU per GET /me with {fmt.count(g.most.sessions)} sessions resident / "
            f"with {fmt.count(g.fewest.sessions)}",
            g.ratio,
            HEAVY,
            "'grows heavily' from here",
            interval=g.interval,
            run_to_run=RUN_TO_RUN,
        )
        p99 = None
        if g.fewest.p99_us is not None and g.most.p99_us is not None:
            p99 = (g.fewest.p99_us, g.most.p99_us)
        rounds = min(g.fewest.rounds, g.most.rounds)
        found.append(Growth(g.store, g.fewest.sessions, g.most.sessions, cpu, p99, rounds))
    return found


def decide_sessions_heavy(run: RunData) -> HeavyLoad:
    """Claim 1: heavy when every pair's ratio is (or a request grows heavily dearer with
    resident sessions), 'depends' on the token when only some are, refuted otherwise;
    withheld where a deciding figure's interval crosses its threshold."""
    measure, source = _measure(run), costs.short_source(run)
    missing = HeavyLoad(
        verdict=Verdict.NOT_MEASURED,
        missing=variants_command(*PAIR_VARIANTS),
        measure=measure,
        source=source,
    )
    pairs = []
    for session, token, why in costs.pairs(run):
        ratio = ratio_decision(
            run, session, token, f"{measure} ({why})", "'heavy' from here", HEAVY
        )
        if ratio is not None:
            pairs.append(
                PairRatio(
                    session, token, why, ratio, median_us(run, session), median_us(run, token)
                )
            )
    if not pairs:
        # No pair ran, or its CPU per request is missing (an interrupted run).
        return missing
    growth = tuple(resident_growth(run))
    ruling = HeavyLoad(
        verdict=Verdict.REFUTED,
        # A growth without an interval (one round) is shown, but does not decide.
        deciding=(*(p.ratio for p in pairs), *(g.cpu for g in growth if g.counted and g.cpu)),
        measure=measure,
        source=source,
        pairs=tuple(pairs),
        growth=growth,
    )
    if len(ruling.heavy_against) == len(pairs) or ruling.heavy_growth:
        ruling = replace(ruling, verdict=Verdict.SUPPORTED)
    elif ruling.heavy_against:
        ruling = replace(ruling, verdict=Verdict.DEPENDS)
    return withhold(ruling)


# --- 4. tokens do not load the server, and need nothing stored: two claims -------------


def decide_no_load(run: RunData) -> NoLoad:
    """ "Tokens do not load the server", weighed both ways: the token check's cost beside a
    session check's (both: server + store CPU minus the no-auth baseline's), and as a
    share of the whole request's server + store CPU. Supported when both say so, refuted
    when neither does, 'depends' on the yardstick otherwise."""
    pairs = [(s, t) for s, t, why in costs.pairs(run) if why == "deployable defaults"]
    baseline = costs.baseline_name(run, pairs[0][1]) if pairs else None
    if not pairs or baseline is None or not measured(run, [baseline]):
        return NoLoad(
            verdict=Verdict.NOT_MEASURED,
            missing=variants_command("baseline", "session-redis", "token-hs256"),
        )
    session, token = pairs[0]
    session_check, token_check = costs.credential_us(run, session), costs.credential_us(run, token)
    token_cost = costs.request_cost(run, token)
    if session_check is None or token_check is None or token_cost is None:
        return NoLoad(
            verdict=Verdict.NOT_MEASURED, missing=variants_command("baseline", session, token)
        )
    share_point, share_interval = costs.estimate(
        run,
        (token, baseline),
        lambda r: (r[token] - r[baseline]) / r[token] if r[token] else None,
    )
    share = Decision(
        f"{token}'s check / its whole request (server + store CPU)",
        share_point if share_point is not None else token_check / token_cost.median,
        NO_LOAD_SHARE,
        "'a load' from here; 'no load' below",
        "%",
        (),
        share_interval,
    )
    relative = check_ratio_decision(run, session, token, baseline)
    ruling = NoLoad(
        verdict=Verdict.DEPENDS,
        deciding=(*([relative] if relative is not None else []), share),
        session=session,
        token=token,
        session_check_us=session_check,
        token_check_us=token_check,
        relative=relative,
        share=share,
    )
    if ruling.no_load_share and ruling.light:
        ruling = replace(ruling, verdict=Verdict.SUPPORTED)
    elif not ruling.no_load_share and not ruling.light:
        ruling = replace(ruling, verdict=Verdict.REFUTED)
    return withhold(ruling)


def decide_nothing_stored(run: RunData) -> NothingStored:
    """What the token server keeps per user (refresh families) beside a session: refuted
    by any byte kept."""
    family = session_bytes(run, "token refresh families (redis)")
    if family is None:  # the per-user state of the deployable token: refresh families
        return NothingStored(verdict=Verdict.NOT_MEASURED, missing=experiment("sessions_at_scale"))
    decision = Decision("bytes a token server keeps per user", family, 0.0, "'nothing' is 0 B", "B")
    return NothingStored(
        verdict=Verdict.REFUTED if family > 0 else Verdict.SUPPORTED,
        deciding=(decision,),
        kept_bytes=family,
        session_bytes=session_bytes(run, "redis"),
    )


def decide_tokens_free(run: RunData) -> TokensFree:
    """Claim 4 from its two halves: one verdict where they agree, 'depends' (on which
    half) where they do not; a half the run cannot decide leaves the whole undecided, and
    an unmeasured half cannot support the whole."""
    load, stored = decide_no_load(run), decide_nothing_stored(run)
    halves = (load.verdict, stored.verdict)
    measured_verdicts = set(halves) - {Verdict.NOT_MEASURED}
    verdict = measured_verdicts.pop() if len(measured_verdicts) == 1 else Verdict.DEPENDS
    if halves == (Verdict.NOT_MEASURED, Verdict.NOT_MEASURED):
        verdict = Verdict.NOT_MEASURED
    elif Verdict.NOT_DECIDED in halves:
        verdict = Verdict.NOT_DECIDED
    elif Verdict.NOT_MEASURED in halves and verdict == Verdict.SUPPORTED:
        verdict = Verdict.NOT_MEASURED
    return TokensFree(
        verdict=verdict,
        deciding=(*load.deciding, *stored.deciding),
        open=(*load.open, *stored.open),
        no_load=load,
        stored=stored,
    )


# --- 8. token-based authentication is "much better and efficient" --------------------


def pair_gains(run: RunData, session: str, token: str, why: str) -> PairGains:
    """How many times better the token is than the session in one pair: CPU per request
    (session / token) and, unless the generator was the limit, throughput (token / session)."""
    found = []
    cpu = ratio_decision(
        run, session, token, f"{_measure(run)} ({why})", "'much better' from here", HEAVY
    )
    if cpu is not None:
        found.append(cpu)
    if saturated(run, [session, token]):
        return PairGains(session, token, why, tuple(found))
    capacity = capacity_decision(run, token, session, f"maximum throughput ({why})")
    if capacity is not None:
        found.append(capacity)
    return PairGains(session, token, why, tuple(found))


def _caveats(run: RunData) -> tuple[Caveat, ...]:
    """The security prices the run measured."""
    found = []
    if any(
        r.get("bounded_by") in ("exp", "delayed", "not revoked")
        for r in security_rows(run, "revocation")
    ):
        found.append(Caveat.LOGOUT_WAITS)
    counted = xss.counts(run)
    if counted is not None and counted.read:  # a script read a working credential
        found.append(Caveat.XSS_THEFT)
    return tuple(found)


def decide_tokens_better(run: RunData) -> TokensBetter:
    """Claim 8: refuted where no pair is much better, 'depends' on logout where only some
    are; where all are, 'depends' on the security price the run measured, 'not measured'
    without the security lab (the price could still turn it), supported otherwise.
    Withheld where a gain is not decided and could still turn its pair: a pair with a gain
    decided short of 'much better' is not much better whatever its other gain's side."""
    missing = variants_command(*PAIR_VARIANTS)
    if not costs.pairs(run):
        return TokensBetter(verdict=Verdict.NOT_MEASURED, missing=missing)
    weighed = (pair_gains(run, session, token, why) for session, token, why in costs.pairs(run))
    pairs = tuple(pair for pair in weighed if pair.gains)
    if not pairs:
        return TokensBetter(verdict=Verdict.NOT_MEASURED, missing=missing)
    deciding = tuple(g for pair in pairs for g in pair.gains)
    won = [pair.much_better for pair in pairs]
    caveats: tuple[Caveat, ...] = ()
    if not any(won):
        verdict = Verdict.REFUTED
    elif not all(won):
        verdict = Verdict.DEPENDS  # on whether logout must end the token
    elif caveats := _caveats(run):
        verdict = Verdict.DEPENDS  # on whether the price is acceptable
    elif not run.security:
        return TokensBetter(
            verdict=Verdict.NOT_MEASURED,
            deciding=deciding,
            missing=security_command(run),
            pairs=pairs,
        )
    else:
        verdict = Verdict.SUPPORTED
    ruling = TokensBetter(verdict=verdict, deciding=deciding, pairs=pairs, caveats=caveats)
    turning = tuple(
        g
        for pair in pairs
        if not any(g.decided and not g.above for g in pair.gains)
        for g in pair.gains
    )
    return withhold(ruling, turning)
