"""The thresholds the rules hold figures against, and the words a ratio earns.

Every threshold here is printed on the page beside the verdicts (THRESHOLDS), and every
verdict shows its deciding figure's margin to one of them (reports.margins.Decision).
"""

from __future__ import annotations

from reports import costs, fmt
from reports.intervals import small_sample_factor
from reports.load import RunData
from reports.margins import Decision, ratios, relative_spread
from reports.metrics import measured, number, variants_where

# Ratio bands for "how much more": under SIMILAR the two are similar (the run-to-run
# spreads of CPU per request on this kind of machine are 1-10%, so a smaller difference
# is not one a rerun would keep); from HEAVY on, "heavy" / "much better"; between them,
# "modestly higher". A verdict whose deciding figure's repetitions straddle its threshold
# is fragile; a word whose repetitions straddle its band's edge is borderline.
SIMILAR = 1.10


HEAVY = 1.5
# How much a CPU or capacity ratio moves from one run to the next on the same machine,
# beyond what one run's repetitions show: the same 10% as SIMILAR. Three quiet standard
# runs, each variant loaded side by side, put claim 4's check ratio at x1.47 (interval
# x1.39-x1.53), x1.53 (x1.38-x1.63) and x1.65 (x1.52-x1.79): each run's interval holds its
# own repetitions, not the machine's slower moves between runs. A ratio decides only where
# its interval clears the threshold by this factor either way (as `asv compare` reports no
# change within its factor of 1.1, and criterion.rs none within its noise threshold).
RUN_TO_RUN = SIMILAR - 1
# "Tokens do not load the server", weighed as a share of the whole request: a check that
# costs under this share of a request's server + store CPU counts as no load.
NO_LOAD_SHARE = 0.10
# Scale-out: in-process sessions "break" when at least this share of the failures
# expected from (K-1)/K happened; a variant "works" under WORKS.


BREAKS = 0.5


WORKS = 0.01
# Store outage: a variant "carries on" when it served at least this share of its
# normal throughput while the store was down.


CARRIES_ON = 0.9


THRESHOLDS = {
    "similar": f"a ratio under {fmt.TIMES}{SIMILAR} counts as similar: a smaller difference is "
    "one the run-to-run spread can move (this run's spreads are printed below the table)",
    "heavy": f"'heavy' and 'much better' mean at least {fmt.TIMES}{HEAVY} the other; between "
    f"{fmt.TIMES}{SIMILAR} and {fmt.TIMES}{HEAVY} is 'modestly higher'",
    "scale-out": f"a variant breaks when it fails at least {BREAKS:.0%} of the (K-1)/K expected "
    f"from local state; it works under {WORKS:.0%} failed",
    "outage": f"a variant carries on when it serves at least {CARRIES_ON:.0%} of its normal "
    "throughput in the seconds the store is down throughout",
    "no load": f"a token check counts as no load when it costs under {NO_LOAD_SHARE:.0%} of the "
    f"whole request's server + store CPU, and as light beside a session's when the session "
    f"check costs at least {fmt.TIMES}{HEAVY} the token's",
    "not decided": "a deciding cost figure is taken over every steady second of its "
    "repetitions, with a 95% interval from a bootstrap over whole repetitions (over the "
    "seconds where there is one), widened by Student's t for the few repetitions "
    f"({fmt.TIMES}{small_sample_factor(3):.1f} for 3, {fmt.TIMES}{small_sample_factor(5):.1f} "
    "for 5); a verdict is not decided when that interval crosses its threshold, or, for a "
    f"CPU or capacity ratio, the band of {RUN_TO_RUN:.0%} either side of it that one run "
    "differs from the next by on the same machine",
    "fragile": "a verdict is fragile when its deciding figure's repetitions fall on both sides "
    "of its threshold",
}


def ratio_decision(
    run: RunData, a: str, b: str, what: str, meaning: str, threshold: float
) -> Decision | None:
    """a's CPU per request over b's, with the ratio in each repetition."""
    cost_a, cost_b = costs.request_cost(run, a), costs.request_cost(run, b)
    if cost_a is None or cost_b is None or not cost_b.median:
        return None
    # Over every steady second of the shared repetitions, with its interval; a folder
    # without batches or repetitions enough: the ratio of the summary's medians.
    point, interval = costs.estimate(run, (a, b), lambda r: r[a] / r[b] if r[b] else None)
    return Decision(
        f"{a} / {b}, {what}",
        point if point is not None else cost_a.median / cost_b.median,
        threshold,
        meaning,
        "x",
        ratios(cost_a.by_repetition, cost_b.by_repetition),
        interval,
        RUN_TO_RUN,
    )


def check_ratio_decision(run: RunData, session: str, token: str, floor: str) -> Decision | None:
    """The session's check over the token's, each its server + store CPU minus the no-auth
    floor's (claim 4's "light beside a session's"); None where a check was not measured or
    the token's is not above its floor."""
    session_check, token_check = costs.credential_us(run, session), costs.credential_us(run, token)
    if session_check is None or token_check is None or token_check <= 0:
        return None
    point, interval = costs.estimate(
        run,
        (session, token, floor),
        lambda r: (r[session] - r[floor]) / (r[token] - r[floor]) if r[token] > r[floor] else None,
    )
    return Decision(
        f"{session}'s check / {token}'s check",
        point if point is not None else session_check / token_check,
        HEAVY,
        "'the token check is light beside a session's' from here",
        "x",
        ratios(
            costs.credential_repetitions(run, session), costs.credential_repetitions(run, token)
        ),
        interval,
        RUN_TO_RUN,
    )


def capacity_decision(run: RunData, token: str, session: str, what: str) -> Decision | None:
    """The token's maximum throughput over the session's (claim 8's "much better"); None
    where either was not measured. The summary's maximum: the GET-only closed loop's
    throughput, or (an older folder) the mixed step ramp's peak second; never the
    matched-rate phase's, whose throughput is its offered rate."""
    rps_token = number((run.summary_row(token) or {}).get("max_throughput_rps"))
    rps_session = number((run.summary_row(session) or {}).get("max_throughput_rps"))
    if not rps_token or not rps_session:
        return None
    phase = costs.GET_ONLY if costs.get_only(run) else costs.MIXED
    column = ("throughput_rps",) if costs.get_only(run) else ("peak_rps",)
    point, interval = costs.estimate(
        run,
        (token, session),
        lambda r: r[token] / r[session] if r[session] else None,
        costs.capacity_samples,
    )
    return Decision(
        f"{token} / {session}, {what}",
        point if point is not None else rps_token / rps_session,
        HEAVY,
        "'much better' from here",
        "x",
        ratios(
            costs.per_repetition(run, token, column, phase),
            costs.per_repetition(run, session, column, phase),
        ),
        interval,
        RUN_TO_RUN,
    )


def spreads_text(run: RunData, variants: list[str]) -> str | None:
    """This run's own run-to-run spreads of CPU per request: what the bands must exceed.
    Where the variants ran side by side, the spreads of their ratios to the first one's
    cost in the same seconds (what a deciding ratio is made of; the costs themselves
    still move with the machine, all together)."""
    found = []
    together = costs.side_by_side(run) > 1 and len(variants) > 1
    reference = costs.request_cost(run, variants[0]) if together else None
    for variant in variants[1:] if together else variants:
        cost = costs.request_cost(run, variant)
        values = cost.repetitions if cost else ()
        if cost and reference is not None:
            values = tuple(ratios(cost.by_repetition, reference.by_repetition))
        spread = relative_spread(values)
        if spread is not None:
            found.append(spread)
    if not found:
        return None
    what = (
        f"each variant's CPU per request over {variants[0]}'s in the same seconds (side by "
        f"side), over repetitions, for {_which(variants[1:])}"
        if together
        else f"CPU per request over repetitions of {_which(variants)}"
    )
    text = (
        f"the spreads of {what}: "
        f"{fmt.pct(min(found))}-{fmt.pct(max(found))} of the median (the 'similar' band is "
        f"{fmt.pct(SIMILAR - 1)})"
    )
    if max(found) > SIMILAR - 1:
        # Said, not hidden: the fragile marks then carry more of the judgement.
        text += ": wider than the band in this run, so a ratio near its edges is uncertain"
    return text


def _which(variants: list[str]) -> str:
    """Which variants a spread is over: named when few, counted when all of the run's."""
    if len(variants) <= 3:
        return ", ".join(variants)
    return f"all {len(variants)} variants"


def spread_note(run: RunData) -> str:
    """The band's justification from this run's own data, for the page."""
    return spreads_text(run, measured(run, variants_where(run))) or (
        "this run has one repetition: no spread to compare the bands with"
    )
