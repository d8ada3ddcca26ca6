"""The cost rules: sessions put a heavy load on the server; tokens do not load it and
need nothing stored; token authentication is "much better and efficient".

Costs are compared like for like (reports.costs.PAIRS): the deployable defaults
(session-redis against token-hs256, whose logout does not end the token) and equal
logout (session-redis against token-hs256-denylist)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports import costs, fmt
from reports.bands import (
    BETTER,
    HEAVY,
    NO_LOAD_SHARE,
    grade,
    ratio_decision,
    spreads_text,
    wording,
)
from reports.claim import (
    Claim,
    Verdict,
    experiment,
    not_decided,
    not_measured,
    security_command,
    variants_command,
)
from reports.load import RunData
from reports.margins import Decision, ratios
from reports.metrics import (
    login_costs,
    measured,
    number,
    primitive_us,
    security_rows,
    session_bytes,
    variants_where,
)
from reports.rules.security import xss_lines

# The variants of the like-for-like pairs, for the command that measures them.
PAIR_VARIANTS = tuple(dict.fromkeys(name for pair in costs.PAIRS for name in pair[:2]))


def cpu_line(run: RunData, variant: str) -> str:
    cost = costs.request_cost(run, variant)
    row = run.summary_row(variant) or {}
    server = number(row.get("server_cpu_us_per_request"))
    store = number(row.get("store_cpu_us_per_request"))
    text = f"{variant}: {fmt.us(cost.median if cost else None)} CPU per request"
    if store:
        text += f" (server {fmt.us(server)} + Redis {fmt.us(store)})"
    if cost and cost.repetitions:
        text += ", repetitions " + ", ".join(fmt.us(v) for v in cost.repetitions)
    return text


def saturation_note(run: RunData, variants: list[str]) -> list[str]:
    flagged = [v for v in variants if bool((run.summary_row(v) or {}).get("generator_saturated"))]
    if not flagged:
        return []
    return [
        "caution: the load generator was saturated for "
        + ", ".join(flagged)
        + " (their maximum throughput is the generator's limit)"
    ]


def sessions_measured(run: RunData) -> list[str]:
    return measured(run, variants_where(run, kind="session"))


# --- 1. sessions put a heavy load on the server ("with an excessive number of users") --


@dataclass(frozen=True)
class Growth:
    """A store's cost per GET /me with its fewest and its most resident sessions."""

    store: str
    fewest: int
    most: int
    cpu: Decision | None
    p99: tuple[float, float] | None


def _resident_cpu(row: Any) -> float | None:
    server = number(row.get("server_cpu_us_per_request"))
    if server is None:
        return None
    return server + (number(row.get("store_cpu_us_per_request")) or 0.0)


def resident_growth(run: RunData) -> list[Growth]:
    """From resident_sessions.csv: how a request's cost grows with the sessions held."""
    table = run.resident_sessions
    if table.empty or not {"store", "sessions"} <= set(table.columns):
        return []
    found = []
    for store, rows in table.groupby("store", sort=False):
        rows = rows.sort_values("sessions")
        if len(rows) < 2:
            continue
        first, last = rows.iloc[0], rows.iloc[-1]
        cpu = None
        # Server plus store CPU (the Redis row carries its store's own CPU too).
        low, high = _resident_cpu(first), _resident_cpu(last)
        if low and high is not None:
            cpu = Decision(
                f"{store}: CPU per GET /me with {fmt.count(last['sessions'])} sessions resident / "
                f"with {fmt.count(first['sessions'])}",
                high / low,
                HEAVY,
                "'grows heavily' from here",
            )
        p99 = None
        p99_low, p99_high = number(first.get("p99_us")), number(last.get("p99_us"))
        if p99_low is not None and p99_high is not None:
            p99 = (p99_low, p99_high)
        found.append(Growth(str(store), int(first["sessions"]), int(last["sessions"]), cpu, p99))
    return found


def _growth_lines(run: RunData, sessions: list[str], tokens: list[str]) -> list[str]:
    lines = []
    for variant in sessions[:1] + tokens:
        ops = costs.store_ops_per_request(run, variant)
        if ops is not None:
            lines.append(f"{variant}: {ops:.2f} store operations per request")
    for store, where in (("redis", "Redis"), ("memory", "process memory")):
        per = session_bytes(run, store)
        if per is not None:
            lines.append(
                f"a live session holds {fmt.size(per)} in {where}: 1M users would take "
                f"{fmt.size(per * 1e6)} (extrapolated)"
            )
    return lines


def _us_pair(run: RunData, a: str, b: str) -> str:
    cost_a, cost_b = costs.request_cost(run, a), costs.request_cost(run, b)
    shown = [fmt.us(cost.median if cost else None) for cost in (cost_a, cost_b)]
    return " vs ".join(shown)


def sessions_heavy_load(run: RunData) -> Claim:
    """Claim 1, withheld where a pair's ratio is not decided at this run's precision."""
    return not_decided(_sessions_heavy_load(run))


def _sessions_heavy_load(run: RunData) -> Claim:
    claim = "Sessions put a heavy load on the server."
    pairs = costs.pairs(run)
    if not pairs:
        return not_measured(
            "sessions-heavy",
            claim,
            variants_command(*PAIR_VARIANTS),
        )
    what = "CPU per GET /me" if costs.get_only(run) else "CPU per request (mixed phase)"
    decisions: list[Decision] = []
    graded: list[tuple[str, str, str, float, str]] = []
    for session, token, why in pairs:
        decision = ratio_decision(
            run, session, token, f"{what} ({why})", "'heavy' from here", HEAVY
        )
        if decision is None:
            continue
        decisions.append(decision)
        graded.append((session, token, why, decision.value, wording(decision)))
    if not graded:
        # The variants ran but their CPU per request is missing (an interrupted run).
        return not_measured("sessions-heavy", claim, variants_command(*PAIR_VARIANTS))
    involved = list(dict.fromkeys([p[0] for p in pairs] + [p[1] for p in pairs]))
    evidence = [f"per-request figures from {costs.source_text(run)}"]
    evidence += [cpu_line(run, v) for v in involved]
    spreads = spreads_text(run, involved)
    if spreads:
        evidence.append(spreads)
    sessions, tokens = sessions_measured(run), [p[1] for p in pairs]
    evidence += _growth_lines(run, sessions, tokens)
    growth = resident_growth(run)
    for g in growth:
        if g.cpu is not None:
            decisions.append(g.cpu)
        p99 = "" if g.p99 is None else f", p99 {fmt.ms(g.p99[0])} -> {fmt.ms(g.p99[1])}"
        evidence.append(
            f"{g.store}, {fmt.count(g.fewest)} -> {fmt.count(g.most)} sessions resident: CPU per "
            f"GET /me {fmt.ratio(g.cpu.value if g.cpu else None)}{p99}"
        )
    for _, row in login_costs(run).dropna(subset=["ratio"]).iterrows():
        if row["variant"] in involved[:2]:
            evidence.append(
                f"one login costs {fmt.us(row['login_us'])} of server CPU, "
                f"{fmt.ratio(row['ratio'])} an authenticated request ({row['variant']})"
            )
    evidence += saturation_note(run, involved)
    figures = ["cpu", "throughput", "login", "sessions"]
    per_request = "; ".join(
        f"{s} costs {fmt.ratio(r)} the {what} of {t} ({why}: {g})" for s, t, why, r, g in graded
    )
    first = graded[0]
    heavy_growth = [g for g in growth if g.cpu is not None and g.cpu.above]
    if not growth:
        growth_text = "growth with resident sessions not measured: run " + experiment(
            "resident_sessions"
        )
    elif heavy_growth:
        growth_text = "a request grows heavily dearer with resident sessions in " + ", ".join(
            g.store for g in heavy_growth
        )
    else:
        # Each store in its band's words: "about the same" only where the ratio is similar.
        growth_text = (
            "a request does not grow heavily dearer with many sessions resident ("
            + ", ".join(
                f"{g.store} {fmt.ratio(g.cpu.value)}, {grade(g.cpu.value)}"
                if g.cpu is not None
                else f"{g.store} not measured"
                for g in growth
            )
            + ")"
        )
    sentence = (
        f"Per authenticated request ({costs.short_source(run)}), {first[0]} costs "
        f"{fmt.ratio(first[3])} the CPU of {first[1]} ({first[4]}: "
        f"{_us_pair(run, first[0], first[1])})"
        + "".join(
            f" and {fmt.ratio(r)} that of {t} ({w}: {g}, {_us_pair(run, s, t)})"
            for s, t, w, r, g in graded[1:]
        )
        + f"; {growth_text}."
    )
    heavy_pairs = [p for p in graded if p[3] >= HEAVY]
    if len(heavy_pairs) == len(graded) or heavy_growth:
        return Claim(
            "sessions-heavy", claim, "supported", f"{per_request}; {growth_text}", evidence,
            figures, decisions=decisions, sentence=sentence,
        )  # fmt: skip
    if heavy_pairs:
        condition = (
            "which token it is held against: heavy against "
            + ", ".join(p[1] for p in heavy_pairs)
            + f", not against the others: {per_request}; {growth_text}"
        )
        return Claim(
            "sessions-heavy", claim, "depends", condition, evidence, figures,
            decisions=decisions, sentence=sentence,
        )  # fmt: skip
    condition = f"{grade(first[3])}, not heavy: {per_request}; {growth_text}"
    return Claim(
        "sessions-heavy", claim, "refuted", condition, evidence, figures,
        decisions=decisions, sentence=sentence,
    )  # fmt: skip


# --- 4. tokens do not load the server, and need nothing stored: two claims -------------


def _no_load(run: RunData) -> tuple[Verdict, str, list[str], list[Decision]]:
    """ "Tokens do not load the server", weighed both ways, each its own rule: the token
    check's cost beside a session check's (both: server + store CPU minus the no-auth
    baseline's), and as a share of the whole request's server + store CPU."""
    pairs = [(s, t) for s, t, why in costs.pairs(run) if why == "deployable defaults"]
    baseline = costs.baseline_name(run, pairs[0][1]) if pairs else None
    if not pairs or baseline is None or not measured(run, [baseline]):
        return (
            "not measured",
            variants_command("baseline", "session-redis", "token-hs256"),
            [],
            [],
        )
    session, token = pairs[0]
    session_check, token_check = costs.credential_us(run, session), costs.credential_us(run, token)
    token_cost = costs.request_cost(run, token)
    if session_check is None or token_check is None or token_cost is None:
        return "not measured", variants_command("baseline", session, token), [], []
    lines = [
        f"checking the credential adds {fmt.us(token_check)} per request for {token} and "
        f"{fmt.us(session_check)} for {session} (the check cost: server + store CPU, each "
        f"minus the no-auth baseline's; {costs.source_text(run)})"
    ]
    verify = primitive_us(run, "JWT verify HS256 ")
    if verify is not None:
        lines.append(f"JWT verify HS256 alone, in-process: {fmt.us(verify)}")
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
    lines.append(
        f"as a share of the whole request: {token}'s check is {fmt.pct(share.value)} of its "
        f"{fmt.us(token_cost.median)}"
    )
    decisions: list[Decision] = []
    relative: Decision | None = None
    if token_check > 0:
        point, interval = costs.estimate(
            run,
            (session, token, baseline),
            lambda r: (
                (r[session] - r[baseline]) / (r[token] - r[baseline])
                if r[token] > r[baseline]
                else None
            ),
        )
        relative = Decision(
            f"{session}'s check / {token}'s check",
            point if point is not None else session_check / token_check,
            HEAVY,
            "'the token check is light beside a session's' from here",
            "x",
            ratios(
                costs.credential_repetitions(run, session),
                costs.credential_repetitions(run, token),
            ),
            interval,
        )
        decisions.append(relative)
    decisions.append(share)
    undecided = [d for d in decisions if not d.decided]
    if undecided:
        return (
            "not decided",
            "; ".join(d.undecided_text() for d in undecided),
            lines,
            decisions,
        )
    no_load_share = not share.above
    light = relative is None or relative.above  # a check below the baseline's noise: light
    relative_text = (
        f"beside a session check ({fmt.us(session_check)}) the token's ({fmt.us(token_check)}) "
        + (
            f"is light ({fmt.ratio(relative.value)})"
            if relative is not None and relative.above
            else "costs nothing measurable"
            if relative is None
            else f"is not light: the session's is only {fmt.ratio(relative.value)} "
            f"({grade(relative.value)}), short of {fmt.TIMES}{HEAVY}"
        )
    )
    share_text = (
        f"as a share of the request it is {fmt.pct(share.value)} of the CPU ("
        + ("under" if no_load_share else "at least")
        + f" the {fmt.pct(NO_LOAD_SHARE)} that counts as no load)"
    )
    if no_load_share and light:
        return "supported", f"{relative_text}; {share_text}", lines, decisions
    if not no_load_share and not light:
        return "refuted", f"{relative_text}; {share_text}", lines, decisions
    return (
        "depends",
        f"the yardstick: {relative_text}, yet {share_text}",
        lines,
        decisions,
    )


def _nothing_stored(run: RunData) -> tuple[Verdict, str, list[str], Decision | None]:
    """What the token server keeps per user (refresh families, deny list) beside a session."""
    family = session_bytes(run, "token refresh families (redis)")
    deny = session_bytes(run, "token deny list (redis)")
    session = session_bytes(run, "redis")
    if family is None:  # the per-user state of the deployable token: refresh families
        return "not measured", experiment("sessions_at_scale"), [], None
    lines = []
    if family is not None:
        lines.append(f"a refresh-token family: {fmt.size(family)} per user in Redis")
    if deny is not None:
        lines.append(f"a deny-list entry: {fmt.size(deny)} per logged-out token until its exp")
    if session is not None:
        lines.append(f"beside a Redis session: {fmt.size(session)}")
    for variant in measured(run, variants_where(run, kind="token", state="client+server")):
        ops = costs.store_ops_per_request(run, variant)
        if ops is not None:
            lines.append(f"{variant}: {ops:.2f} Redis commands per request")
    kept = family
    decision = Decision("bytes a token server keeps per user", kept, 0.0, "'nothing' is 0 B", "B")
    if kept > 0:
        beside = f", {fmt.ratio(kept / session)} a session's" if session else ""
        return (
            "refuted",
            f"the token server keeps {fmt.size(kept)} per user for refresh{beside}",
            lines,
            decision,
        )
    return "supported", "the token server kept nothing per user", lines, decision


def tokens_stateless(run: RunData) -> Claim:
    claim = "Tokens do not load the server and need nothing stored."
    load, stored = _no_load(run), _nothing_stored(run)
    evidence = load[2] + stored[2]
    decisions = [*load[3], *([stored[3]] if stored[3] is not None else [])]
    parts = f"'no load': {load[0]}, {load[1]}; 'nothing stored': {stored[0]}, {stored[1]}"
    if load[0] == "not measured" and stored[0] == "not measured":
        return not_measured("tokens-free", claim, f"{load[1]} and {stored[1]}")
    verdicts = {load[0], stored[0]} - {"not measured"}
    verdict: Verdict = verdicts.pop() if len(verdicts) == 1 else "depends"
    if "not decided" in (load[0], stored[0]):
        # A half the run cannot decide leaves the whole claim undecided, said as such.
        verdict = "not decided"
    if "not measured" in (load[0], stored[0]) and verdict == "supported":
        # Half of the claim unmeasured cannot support the whole of it.
        verdict = "not measured"
    condition = parts if verdict != "depends" or load[0] == "depends" else f"which half: {parts}"
    sentence = f"No load? {load[1]}. Nothing stored? {stored[1]}."
    return Claim(
        "tokens-free", claim, verdict, condition, evidence, ["cpu", "sessions"],
        decisions=decisions, sentence=sentence,
    )  # fmt: skip


# --- 8. token-based authentication is "much better and efficient" --------------------


def _pair_gains(run: RunData, session: str, token: str, why: str) -> list[Decision]:
    """How many times better the token is than the session in one pair: CPU per request
    (session / token) and, unless the generator was the limit, throughput (token / session)."""
    what = "CPU per GET /me" if costs.get_only(run) else "CPU per request (mixed phase)"
    found = []
    cpu = ratio_decision(run, session, token, f"{what} ({why})", "'much better' from here", HEAVY)
    if cpu is not None:
        found.append(cpu)
    if saturation_note(run, [session, token]):
        return found
    a, b = run.summary_row(token) or {}, run.summary_row(session) or {}
    rps_token, rps_session = (
        number(a.get("max_throughput_rps")),
        number(b.get("max_throughput_rps")),
    )
    if rps_token and rps_session:
        # The summary's maximum: the GET-only closed loop's throughput, or (an older
        # folder) the mixed step ramp's peak second.
        # Capacity is the closed loop's, not the matched-rate phase's (its offered rate).
        phase = costs.GET_ONLY if costs.get_only(run) else costs.MIXED
        column = ("throughput_rps",) if costs.get_only(run) else ("peak_rps",)
        reps = ratios(
            costs.per_repetition(run, token, column, phase),
            costs.per_repetition(run, session, column, phase),
        )
        point, interval = costs.estimate(
            run,
            (token, session),
            lambda r: r[token] / r[session] if r[session] else None,
            costs.capacity_samples,
        )
        found.append(
            Decision(
                f"{token} / {session}, maximum throughput ({why})",
                point if point is not None else rps_token / rps_session,
                HEAVY,
                "'much better' from here",
                "x",
                reps,
                interval,
            )
        )
    return found


def tokens_much_better(run: RunData) -> Claim:
    """Claim 8, withheld where a gain is not decided at this run's precision and could
    still turn its pair: a pair with a gain decided short of 'much better' is not much
    better whatever its other gain's side."""
    claim = _tokens_much_better(run)
    deciding = []
    for _, _, why in costs.pairs(run):
        gains = [d for d in claim.decisions if d.figure.endswith(f"({why})")]
        if not any(g.decided and not g.above for g in gains):
            deciding += gains
    return not_decided(claim, deciding)


def _tokens_much_better(run: RunData) -> Claim:
    claim = 'Token-based authentication is "much better and efficient".'
    pairs = costs.pairs(run)
    if not pairs:
        return not_measured(
            "tokens-better",
            claim,
            variants_command(*PAIR_VARIANTS),
        )
    decisions: list[Decision] = []
    verdict_of: dict[str, bool] = {}
    evidence = [f"per-request figures from {costs.source_text(run)}"]
    for session, token, why in pairs:
        gains = _pair_gains(run, session, token, why)
        decisions += gains
        if gains:
            verdict_of[why] = all(g.above for g in gains)
            evidence.append(
                f"{why} ({session} vs {token}): for tokens, "
                + ", ".join(
                    f"{'CPU' if 'CPU' in g.figure else 'throughput'} {fmt.ratio(g.value)} "
                    f"({grade(g.value, BETTER)})"
                    for g in gains
                )
            )  # fmt: skip
    evidence += saturation_note(run, [name for pair in pairs for name in pair[:2]])
    if not verdict_of:
        return not_measured("tokens-better", claim, variants_command(*PAIR_VARIANTS))
    figures = ["throughput", "cpu", "security"]
    summary = "; ".join(
        f"{why}: " + ("much better" if won else "not much better")
        for why, won in verdict_of.items()
    )
    if not any(verdict_of.values()):
        return Claim(
            "tokens-better", claim, "refuted",
            f"tokens were not {fmt.TIMES}{HEAVY} better on CPU and throughput in any like-for-like "
            f"pair ({summary})",
            evidence, figures, decisions=decisions,
        )  # fmt: skip
    if not all(verdict_of.values()):
        return Claim(
            "tokens-better", claim, "depends",
            f"whether logout must end the token: {summary}", evidence, figures,
            decisions=decisions,
        )  # fmt: skip
    caveats = []
    if any(
        r.get("bounded_by") in ("exp", "delayed", "not revoked")
        for r in security_rows(run, "revocation")
    ):
        caveats.append("logout that waits for exp")
    if xss_lines(run):
        caveats.append("token theft by XSS where the token is kept in script-readable storage")
    if caveats:
        return Claim(
            "tokens-better", claim, "depends",
            "whether the price is acceptable: " + ", ".join(caveats), evidence, figures,
            decisions=decisions,
        )  # fmt: skip
    if not run.security:
        # Cost alone cannot support it: the security price could still turn it to "depends".
        return Claim(
            "tokens-better", claim, "not measured",
            f"the security price ({security_command(run)}); on cost, tokens were "
            f"{fmt.TIMES}{HEAVY} better in both like-for-like pairs",
            [*evidence, f"not measured: the security trade-offs: run {security_command(run)}"],
            figures,
            decisions=decisions,
        )  # fmt: skip
    return Claim(
        "tokens-better", claim, "supported",
        f"tokens were {fmt.TIMES}{HEAVY} better in both like-for-like pairs", evidence, figures,
        decisions=decisions,
    )  # fmt: skip
