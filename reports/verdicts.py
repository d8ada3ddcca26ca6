"""The claims table: each claim of the article, the run's evidence and a verdict.

Every verdict is computed here, from the data, by a rule that is a plain function
of RunData; none is typed in. A rule answers "supported", "refuted", "depends"
(saying on what) or "not measured" (naming the command that measures it: a
missing file never decides a verdict). Each verdict carries the Decisions it
rests on: the deciding figure, the threshold, the margin, and "fragile" when the
run's own repetitions fall on both sides of the threshold.

Costs are compared like for like (reports.costs.PAIRS): the deployable defaults
(session-redis against token-hs256, whose logout does not end the token) and
equal logout (session-redis against token-hs256-denylist).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from reports import costs, csrf, fmt
from reports.load import RunData
from reports.margins import Decision, band, ratios, relative_spread
from reports.metrics import (
    login_costs,
    measured,
    number,
    outage_stats,
    primitive_us,
    security_rows,
    variants_where,
    wire_bytes,
    xss_by_storage,
)

Verdict = Literal["supported", "refuted", "depends", "not measured"]

# Ratio bands for "how much more": under SIMILAR the two are similar (the run-to-run
# spreads of CPU per request on this kind of machine are 1-10%, so a smaller difference
# is not one a rerun would keep); from HEAVY on, "heavy" / "much better"; between them,
# "modestly higher". A ratio whose repetitions straddle a band's edge is marked fragile.
SIMILAR = 1.10
HEAVY = 1.5
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
    "fragile": "a verdict is fragile when its deciding figure's repetitions fall on both sides "
    "of its threshold",
}

NOT_MEASURED = "not measured in this run"

# The commands that measure what a rule needs (named wherever it is missing).
BENCH = "authlab bench"
SECURITY = (
    "`make security`, then `authlab report RUN --security results/<security run>/security.json`"
)


def security_command(run: RunData) -> str:
    """What fills the security lab's gap: status.json's word when the bench said why it
    could not run the browser part (no Chromium, say), else the lab's own commands."""
    status = run.status.get("security")
    if isinstance(status, dict) and status.get("measured") is False and status.get("command"):
        then = f", then `{status['then']}`" if status.get("then") else ""
        reason = f" ({status['reason']})" if status.get("reason") else ""
        return f"`{status['command']}`{then}{reason}"
    return SECURITY


def experiment(name: str) -> str:
    return f"`{BENCH} --experiments {name}`"


def variants_command(*names: str) -> str:
    return f"`{BENCH} --only {','.join(names)}`"


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    verdict: Verdict
    condition: str = ""  # for "depends": what it depends on; otherwise why
    evidence: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    source: str = "bench"
    decisions: list[Decision] = field(default_factory=list)
    sentence: str = ""  # one plain sentence for the first screen ("" when it has none)

    @property
    def fragile(self) -> bool:
        return any(d.fragile for d in self.decisions)

    @property
    def label(self) -> str:
        if self.verdict == "depends":
            return f"depends on {self.condition}"
        if self.verdict == "not measured":
            return f"not measured: {self.condition}" if self.condition else NOT_MEASURED
        return self.verdict + (" (fragile)" if self.fragile else "")

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim": self.claim,
            "verdict": self.verdict,
            "fragile": self.fragile,
            "label": self.label,
            "condition": self.condition,
            "deciding": " | ".join(d.text() for d in self.decisions),
            "evidence": " | ".join(self.evidence),
            "figures": " ".join(self.figures),
            "source": self.source,
        }


def _not_measured(id_: str, claim: str, command: str, source: str = "bench") -> Claim:
    """No verdict from absence: what is missing, and the command that measures it."""
    why = f"run {command}"
    return Claim(id_, claim, "not measured", why, [f"not measured: {why}"], [], source)


def _ratio_decision(
    run: RunData, a: str, b: str, what: str, meaning: str, threshold: float
) -> Decision | None:
    """a's CPU per request over b's, with the ratio in each repetition."""
    cost_a, cost_b = costs.request_cost(run, a), costs.request_cost(run, b)
    if cost_a is None or cost_b is None or not cost_b.median:
        return None
    return Decision(
        f"{a} / {b}, {what}",
        cost_a.median / cost_b.median,
        threshold,
        meaning,
        "x",
        ratios(cost_a.by_repetition, cost_b.by_repetition),
    )


def grade(value: float, words: tuple[str, str, str] = ("lower", "modestly higher", "heavy")) -> str:
    """The wording of a ratio: similar, modestly higher, heavy (or lower, for under 1/SIMILAR);
    `words` names the lower, middle and top bands for other comparisons."""
    if value < 1 / SIMILAR:
        return words[0]
    return band(value, ((SIMILAR, words[1]), (HEAVY, words[2])), "similar")


BETTER = ("worse", "modestly better", "much better")


def _edge(value: float) -> float:
    """The band edge nearest a ratio: the line its wording rests on."""
    if value < (1 / SIMILAR + SIMILAR) / 2:
        return 1 / SIMILAR
    if value < (SIMILAR + HEAVY) / 2:
        return SIMILAR
    return HEAVY


def wording(
    decision: Decision, words: tuple[str, str, str] = ("lower", "modestly higher", "heavy")
) -> str:
    """A ratio's band, marked borderline when its repetitions fall either side of the
    band edge nearest it (the word could change on a rerun, even if the verdict would not)."""
    text = grade(decision.value, words)
    edge = _edge(decision.value)
    spread = decision.spread
    if spread is not None and spread[0] < edge < spread[1]:
        text += (
            f", borderline: repetitions {fmt.TIMES}{spread[0]:.2f}-{fmt.TIMES}{spread[1]:.2f} "
            f"either side of {fmt.TIMES}{edge:.2f}"
        )
    return text


def _spreads_text(run: RunData, variants: list[str]) -> str | None:
    """This run's own run-to-run spreads of CPU per request: what the bands must exceed."""
    found = []
    for variant in variants:
        cost = costs.request_cost(run, variant)
        spread = relative_spread(cost.repetitions) if cost else None
        if spread is not None:
            found.append(spread)
    if not found:
        return None
    return (
        f"this run's spreads of CPU per request over repetitions: {fmt.pct(min(found))}-"
        f"{fmt.pct(max(found))} of the median (the 'similar' band is {fmt.pct(SIMILAR - 1)})"
    )


def spread_note(run: RunData) -> str:
    """The band's justification from this run's own data, for the page."""
    return _spreads_text(run, measured(run, variants_where(run))) or (
        "this run has one repetition: no spread to compare the bands with"
    )


def _cpu_line(run: RunData, variant: str) -> str:
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


def _saturation_note(run: RunData, variants: list[str]) -> list[str]:
    flagged = [v for v in variants if bool((run.summary_row(v) or {}).get("generator_saturated"))]
    if not flagged:
        return []
    return [
        "caution: the load generator was saturated for "
        + ", ".join(flagged)
        + " (their maximum throughput is the generator's limit)"
    ]


def _sessions(run: RunData) -> list[str]:
    return measured(run, variants_where(run, kind="session"))


def _stateless_tokens(run: RunData) -> list[str]:
    return measured(run, variants_where(run, kind="token", state="client"))


def _session_bytes(run: RunData, store: str) -> float | None:
    scale = run.sessions_at_scale
    if scale.empty or "bytes_per_session" not in scale:
        return None
    rows = scale[(scale["store"] == store)].dropna(subset=["bytes_per_session"])
    if rows.empty:
        return None
    return number(rows.sort_values("sessions")["bytes_per_session"].iloc[-1])


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
        per = _session_bytes(run, store)
        if per is not None:
            lines.append(
                f"a live session holds {fmt.size(per)} in {where}: 1M users = {fmt.size(per * 1e6)}"
            )
    return lines


def _us_pair(run: RunData, a: str, b: str) -> str:
    cost_a, cost_b = costs.request_cost(run, a), costs.request_cost(run, b)
    shown = [fmt.us(cost.median if cost else None) for cost in (cost_a, cost_b)]
    return " vs ".join(shown)


def sessions_heavy_load(run: RunData) -> Claim:
    claim = "Sessions put a heavy load on the server."
    pairs = costs.pairs(run)
    if not pairs:
        return _not_measured(
            "sessions-heavy",
            claim,
            variants_command("session-redis", "token-hs256", "token-hs256-denylist"),
        )
    what = "CPU per GET /me" if costs.get_only(run) else "CPU per request (mixed phase)"
    decisions: list[Decision] = []
    graded: list[tuple[str, str, str, float, str]] = []
    for session, token, why in pairs:
        decision = _ratio_decision(
            run, session, token, f"{what} ({why})", "'heavy' from here", HEAVY
        )
        if decision is None:
            continue
        decisions.append(decision)
        graded.append((session, token, why, decision.value, wording(decision)))
    if not graded:
        return _not_measured("sessions-heavy", claim, experiment("none"))
    involved = list(dict.fromkeys([p[0] for p in pairs] + [p[1] for p in pairs]))
    evidence = [f"per-request figures from {costs.source_text(run)}"]
    evidence += [_cpu_line(run, v) for v in involved]
    spreads = _spreads_text(run, involved)
    if spreads:
        evidence.append(spreads)
    sessions, tokens = _sessions(run), [p[1] for p in pairs]
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
    evidence += _saturation_note(run, involved)
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
        growth_text = (
            "a request costs about the same with many sessions resident ("
            + ", ".join(f"{g.store} {fmt.ratio(g.cpu.value if g.cpu else None)}" for g in growth)
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
        per_session = _session_bytes(run, store)
        if per_session is not None:
            evidence.append(
                f"{fmt.size(per_session)} per session in {where}: "
                f"1M sessions = {fmt.size(per_session * 1e6)}"
            )
    figures = ["scale-out", "sessions"]
    if not local:
        return _not_measured("memory-scalability", claim, experiment("scale_out"))
    decisions = [_breaks_decision(v, rows[v]) for v in local]
    decisions += [_works_decision(v, rows[v]) for v in shared]
    if not any(d.above for d in decisions[: len(local)]):
        return Claim(
            "memory-scalability", claim, "refuted",
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
            "memory-scalability", claim, "depends",
            f"where the sessions live: in one process's memory they break behind a "
            f"non-sticky balancer, in a shared store ({', '.join(working)}) they do not",
            evidence, figures, decisions=decisions,
            sentence=sentence + f"; in a shared store ({', '.join(working)}) they do not.",
        )  # fmt: skip
    if not shared:
        return Claim(
            "memory-scalability", claim, "supported",
            "sessions in process memory broke on several instances; a shared store was not "
            "measured: run " + experiment("scale_out") + " with session-redis",
            evidence, figures, decisions=decisions, sentence=sentence + ".",
        )  # fmt: skip
    return Claim(
        "memory-scalability", claim, "supported",
        "sessions broke on several instances, in a shared store as well", evidence, figures,
        decisions=decisions, sentence=sentence + ", and in a shared store as well.",
    )  # fmt: skip


# --- CSRF (security lab): judged by reports.csrf, the one claim engine ----------------


def _xss_lines(run: RunData) -> list[str]:
    """XSS follows where the token is kept (the security lab's token_storage setting)."""
    lines = []
    for storage, (stolen, _) in xss_by_storage(run).items():
        if stolen:
            lines.append(
                f"token_storage={storage}: an injected script got a working token in "
                + ", ".join(stolen)
            )
    return lines


def _csrf_claim(run: RunData, judgement: csrf.Judgement) -> Claim:
    if judgement.verdict == "not measured":
        return _not_measured(judgement.id, judgement.claim, security_command(run), "security")
    decisions = [
        Decision(figure, value, threshold, meaning, "%")
        for figure, value, threshold, meaning in judgement.deciding
    ]
    return Claim(
        judgement.id,
        judgement.claim,
        judgement.verdict,  # type: ignore[arg-type]  # csrf.Judgement uses the same four words
        judgement.condition,
        [*judgement.evidence, *_xss_lines(run)],
        ["security"],
        "security",
        decisions,
    )


def sessions_csrf(run: RunData) -> Claim:
    return _csrf_claim(run, csrf.judge(run.security)[0])


def tokens_less_csrf(run: RunData) -> Claim:
    return _csrf_claim(run, csrf.judge(run.security)[1])


# --- 4. tokens do not load the server, and need nothing stored: two claims -------------


def _no_load(run: RunData) -> tuple[Verdict, str, list[str], Decision | None]:
    """The token check's own cost against the session check's (both: variant minus the
    no-auth baseline), not as a share of a trivial endpoint."""
    pairs = [(s, t) for s, t, why in costs.pairs(run) if why == "deployable defaults"]
    if not pairs or not measured(run, variants_where(run, kind="baseline")):
        return (
            "not measured",
            variants_command("baseline", "session-redis", "token-hs256"),
            [],
            None,
        )
    session, token = pairs[0]
    session_check, token_check = costs.credential_us(run, session), costs.credential_us(run, token)
    if session_check is None or token_check is None or token_check <= 0:
        return "not measured", variants_command("baseline", session, token), [], None
    lines = [
        f"checking the credential adds {fmt.us(token_check)} per request for {token} and "
        f"{fmt.us(session_check)} for {session} (each minus the no-auth baseline, "
        f"{costs.source_text(run)})"
    ]
    verify = primitive_us(run, "JWT verify HS256 ")
    if verify is not None:
        lines.append(f"JWT verify HS256 alone, in-process: {fmt.us(verify)}")
    decision = Decision(
        f"{session}'s check / {token}'s check",
        session_check / token_check,
        HEAVY,
        "'the token check is light beside a session's' from here",
        "x",
        ratios(
            costs.credential_repetitions(run, session), costs.credential_repetitions(run, token)
        ),
    )
    if decision.above:
        return (
            "supported",
            f"a token check ({fmt.us(token_check)}) is light beside a session check "
            f"({fmt.us(session_check)}, {fmt.ratio(decision.value)})",
            lines,
            decision,
        )
    return (
        "refuted",
        f"a token check costs {fmt.us(token_check)} per request, a session check "
        f"{fmt.us(session_check)}: {fmt.ratio(decision.value)}, {grade(decision.value)}, not "
        "enough to call the token's 'no load'",
        lines,
        decision,
    )


def _nothing_stored(run: RunData) -> tuple[Verdict, str, list[str], Decision | None]:
    """What the token server keeps per user (refresh families, deny list) beside a session."""
    family = _session_bytes(run, "token refresh families (redis)")
    deny = _session_bytes(run, "token deny list (redis)")
    session = _session_bytes(run, "redis")
    if family is None and deny is None:
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
    kept = family or 0.0
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
    decisions = [d for d in (load[3], stored[3]) if d is not None]
    parts = f"'no load': {load[0]}, {load[1]}; 'nothing stored': {stored[0]}, {stored[1]}"
    if load[0] == "not measured" and stored[0] == "not measured":
        return _not_measured("tokens-free", claim, f"{load[1]} and {stored[1]}")
    verdicts = {load[0], stored[0]} - {"not measured"}
    verdict: Verdict = verdicts.pop() if len(verdicts) == 1 else "depends"
    if "not measured" in (load[0], stored[0]) and verdict == "supported":
        # Half of the claim unmeasured cannot support the whole of it.
        verdict = "not measured"
    condition = parts if verdict != "depends" else f"which half: {parts}"
    sentence = f"No load? {load[1]}. Nothing stored? {stored[1]}."
    return Claim(
        "tokens-free", claim, verdict, condition, evidence, ["cpu", "sessions"],
        decisions=decisions, sentence=sentence,
    )  # fmt: skip


# --- 6. tokens transfer information between parties more conveniently and securely ----
#
# "Between parties": a third party verifies a token without asking the issuer (public-key
# verify, keys from the JWKS), and reads its claims (signed, not encrypted). Where the
# browser keeps the token is a separate question (the security lab's token_storage
# setting, in the XSS results): it does not decide this claim.


def _jwks_line(attacks: list[dict[str, Any]]) -> str:
    """Whether this run fetched the public keys the way a third party would (the attack
    battery reads /.well-known/jwks.json of every public-key server it attacks)."""
    fetched = [r for r in attacks if r.get("attack") == "algorithm_confusion"]
    if fetched and not any("could not read" in str(r.get("detail")) for r in fetched):
        servers = sorted({str(r.get("variant") or r.get("configuration")) for r in fetched})
        return "the public keys were fetched from /.well-known/jwks.json of " + ", ".join(servers)
    if fetched:
        return "a public-key server's /.well-known/jwks.json gave no key"
    return (
        "/.well-known/jwks.json not exercised in this run (the attack battery reads it when "
        "the lab runs a public-key token server)"
    )


def tokens_transfer(run: RunData) -> Claim:
    claim = "Tokens transfer information between parties more conveniently and securely."
    asymmetric = {
        alg: primitive_us(run, f"JWT verify {alg} ") for alg in ("RS256", "ES256", "EdDSA")
    }
    measured_algs = {alg: cost for alg, cost in asymmetric.items() if cost is not None}
    if not measured_algs:
        return _not_measured("tokens-transfer", claim, experiment("primitives"))
    alg, verify = min(measured_algs.items(), key=lambda item: item[1])
    # Asking the issuer instead: one authenticated request to it, at what a session
    # lookup costs the issuer's server (the cheapest way to ask "is this valid?").
    ask = costs.request_cost(run, "session-redis")
    evidence = [
        "a party holding only the public key verifies a token in "
        + ", ".join(f"{fmt.us(cost)} ({name})" for name, cost in measured_algs.items())
        + ", without asking the issuer"
    ]
    hs256 = primitive_us(run, "JWT verify HS256 ")
    if hs256 is not None:
        evidence.append(
            f"HS256 verifies in {fmt.us(hs256)}, but every verifier then holds the secret that "
            "mints tokens: only a public-key algorithm lets a third party verify safely"
        )
    sizes = {v: wire_bytes(run, v) for v in variants_where(run, kind="token")}
    token_sizes = sorted(size[0] for size in sizes.values() if size)
    if token_sizes:
        evidence.append(
            f"the claims ride in every request ({token_sizes[0]}-{token_sizes[-1]} B for GET "
            "/me), signed, not encrypted: readable by whoever holds the token"
        )
    decisions = []
    if ask is not None:
        decisions.append(
            Decision(
                f"{alg} public-key verify / asking the issuer (session-redis's CPU per request)",
                verify / ask.median,
                1.0,
                "'cheaper than asking' below this",
            )
        )
        evidence.append(
            f"asking the issuer instead costs it about {fmt.us(ask.median)} of CPU per request "
            "(session-redis), plus a network round trip"
        )
    attacks = [
        r
        for r in security_rows(run, "attacks")
        if str(r.get("configuration", "")).startswith("token")
    ]
    failed = [r for r in attacks if not r.get("passed")]
    evidence.append(_jwks_line(attacks))
    figures = ["bytes", "cpu"]
    source = "bench + security"
    if not attacks:
        return Claim(
            "tokens-transfer", claim, "not measured",
            f"'securely' needs the attack battery: {SECURITY}",
            [*evidence, f"not measured: forged, altered and replayed tokens: run {SECURITY}"],
            figures, source, decisions,
        )  # fmt: skip
    evidence.append(
        f"attack battery on tokens: {len(attacks) - len(failed)} of {len(attacks)} forged, "
        "altered or replayed tokens handled as expected"
    )
    if failed:
        names = sorted({f"{r.get('configuration')}: {r.get('attack')}" for r in failed})
        return Claim(
            "tokens-transfer", claim, "refuted",
            "forged or altered tokens were accepted: " + ", ".join(names[:5]), evidence,
            figures, source, decisions,
        )  # fmt: skip
    convenient = not decisions or not decisions[0].above
    if not convenient:
        return Claim(
            "tokens-transfer", claim, "refuted",
            f"a public-key verify ({fmt.us(verify)}, {alg}) costs more than asking the issuer",
            evidence, figures, source, decisions,
        )  # fmt: skip
    condition = (
        f"a third party verifies with the public key ({alg}, {fmt.us(verify)}) without asking "
        f"the issuer, and all {len(attacks)} forged or altered tokens were refused; but the "
        "claims are signed, not encrypted (readable by whoever holds the token)"
    )
    return Claim(
        "tokens-transfer", claim, "supported", condition, evidence, figures, source, decisions,
    )  # fmt: skip


# --- 7. tokens are more robust for distributed systems in the cloud --------------------


def tokens_robust(run: RunData) -> Claim:
    claim = "Tokens are more robust for distributed systems in the cloud."
    rows = _scale_rows(run)
    stats = {s.variant: s for s in outage_stats(run)}
    if not rows and not stats:
        return _not_measured("tokens-robust", claim, experiment("scale_out,outage"))
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
            f"store down ({stat.seconds_down} s): {stat.variant} {success}, "
            f"{fmt.pct(stat.goodput)} of its normal throughput{slowest}{recovered}"
        )
    figures = ["outage", "scale-out"]
    decisions = [
        Decision(
            f"{stat.variant}: throughput while the store was down / normal",
            stat.goodput,
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
        tokens_carry_on = all(stats[v].goodput >= CARRIES_ON for v in stateless)
        sessions_carry_on = all(stats[v].goodput >= CARRIES_ON for v in session_out)
        if not tokens_carry_on or sessions_carry_on:
            return Claim(
                "tokens-robust",
                claim,
                "refuted",
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
                "supported",
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
            held = all(stats[v].goodput >= CARRIES_ON for v in denylist)
            condition += "; a deny list " + (
                "kept working" if held else "brings the dependency back"
            )
        return Claim(
            "tokens-robust", claim, "depends", condition, evidence, figures,
            decisions=decisions, sentence=sentence,
        )  # fmt: skip
    # Scale-out alone cannot answer "more robust": the outage is the other half.
    if not tokens_scale:
        return Claim(
            "tokens-robust", claim, "refuted", "tokens failed on several instances", evidence,
            figures,
        )  # fmt: skip
    return _not_measured("tokens-robust", claim, experiment("outage"))


# --- 8. token-based authentication is "much better and efficient" --------------------


def _pair_gains(run: RunData, session: str, token: str, why: str) -> list[Decision]:
    """How many times better the token is than the session in one pair: CPU per request
    (session / token) and, unless the generator was the limit, throughput (token / session)."""
    what = "CPU per GET /me" if costs.get_only(run) else "CPU per request (mixed phase)"
    found = []
    cpu = _ratio_decision(run, session, token, f"{what} ({why})", "'much better' from here", HEAVY)
    if cpu is not None:
        found.append(cpu)
    if _saturation_note(run, [session, token]):
        return found
    a, b = run.summary_row(token) or {}, run.summary_row(session) or {}
    rps_token, rps_session = (
        number(a.get("max_throughput_rps")),
        number(b.get("max_throughput_rps")),
    )
    if rps_token and rps_session:
        # The summary's maximum: the GET-only closed loop's throughput, or (an older
        # folder) the mixed step ramp's peak second.
        phase = costs.cost_phase(run)
        column = ("throughput_rps",) if costs.get_only(run) else ("peak_rps",)
        reps = ratios(
            costs.per_repetition(run, token, column, phase),
            costs.per_repetition(run, session, column, phase),
        )
        found.append(
            Decision(
                f"{token} / {session}, maximum throughput ({why})",
                rps_token / rps_session,
                HEAVY,
                "'much better' from here",
                "x",
                reps,
            )
        )
    return found


def tokens_much_better(run: RunData) -> Claim:
    claim = 'Token-based authentication is "much better and efficient".'
    pairs = costs.pairs(run)
    if not pairs:
        return _not_measured(
            "tokens-better",
            claim,
            variants_command("session-redis", "token-hs256", "token-hs256-denylist"),
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
    evidence += _saturation_note(run, [name for pair in pairs for name in pair[:2]])
    if not verdict_of:
        return _not_measured("tokens-better", claim, experiment("none"))
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
    if _xss_lines(run):
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


RULES: tuple[Callable[[RunData], Claim], ...] = (
    sessions_heavy_load,
    memory_scalability,
    sessions_csrf,
    tokens_stateless,
    tokens_less_csrf,
    tokens_transfer,
    tokens_robust,
    tokens_much_better,
)


def claims(run: RunData) -> list[Claim]:
    """The claims table of a run, in the article's order."""
    return [rule(run) for rule in RULES]
