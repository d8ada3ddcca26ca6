"""The cost verdicts on each runtime: the lab's Python pair beside each target pair.

A run with target files (`authlab bench --target FILE`) has servers on other
runtimes. For each runtime this pairs a session server with a token server (the
lab's: session-redis and token-hs256, its deployable defaults; a target runtime's:
its first measured stateful session and stateless token) and holds their figures
against the same thresholds as the claims: the session / token CPU per GET /me,
each check's cost (from its own runtime's no-auth floor), capacity. Each figure is
estimated as the claims' are (reports.costs.estimate: over the steady seconds of the
repetitions both variants share, its interval resampled over repetitions and their
seconds, reports.intervals) and decided as theirs are, where the interval clears the
threshold and the run-to-run band around it (reports.bands.RUN_TO_RUN): the lab's
pair shows the figures and intervals claims 1, 4 and 8 show, so the page cannot call
one figure decided in one table and open in the other. Then it says whether each
verdict holds on every runtime, changes with the runtime, or cannot be decided at
this run's precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports import costs, fmt
from reports.bands import (
    HEAVY,
    RUN_TO_RUN,
    capacity_decision,
    check_ratio_decision,
    ratio_decision,
)
from reports.intervals import Interval
from reports.load import RunData
from reports.margins import Decision, with_band
from reports.metrics import measured, number, variants_where

NOT_FOR_TARGET = "not measured for this target"
LAB_PAIR = ("session-redis", "token-hs256")


@dataclass(frozen=True)
class RuntimePair:
    runtime: str
    session: str
    token: str


@dataclass
class RuntimeFigures:
    pair: RuntimePair
    session_us: float | None = None
    token_us: float | None = None
    ratio: Decision | None = None
    session_check_us: float | None = None
    token_check_us: float | None = None
    session_rps: float | None = None
    token_rps: float | None = None
    capacity: Decision | None = None
    # The session's check over the token's (each minus its runtime's no-auth floor).
    checks: Decision | None = None
    notes: list[str] = field(default_factory=list)


def runtime_pairs(run: RunData) -> list[RuntimePair]:
    """The lab's pair first (when measured), then one pair per target runtime."""
    pairs = []
    if all(run.summary_row(v) is not None for v in LAB_PAIR):
        pairs.append(RuntimePair("python", *LAB_PAIR))
    runtimes = dict.fromkeys(
        costs.runtime(run, v) for v in measured(run, list(run.described)) if run.summary_row(v)
    )
    for runtime in runtimes:
        if runtime == "python":
            continue
        sessions = [
            v
            for v in measured(run, variants_where(run, kind="session", state="server"))
            if costs.runtime(run, v) == runtime
        ]
        tokens = [
            v
            for v in measured(run, variants_where(run, kind="token", state="client"))
            if costs.runtime(run, v) == runtime
        ]
        if sessions and tokens:
            pairs.append(RuntimePair(runtime, sessions[0], tokens[0]))
    return pairs


def figures(run: RunData, pair: RuntimePair) -> RuntimeFigures:
    out = RuntimeFigures(pair)
    session, token = costs.request_cost(run, pair.session), costs.request_cost(run, pair.token)
    if session is not None and token is not None and token.median:
        out.session_us, out.token_us = session.median, token.median
        out.ratio = ratio_decision(
            run, pair.session, pair.token, "CPU per GET /me", "'heavy' from here", HEAVY
        )
    out.session_check_us = costs.credential_us(run, pair.session)
    out.token_check_us = costs.credential_us(run, pair.token)
    floor = costs.baseline_name(run, pair.session)
    out.checks = check_ratio_decision(run, pair.session, pair.token, floor) if floor else None
    if out.session_check_us is None and pair.runtime != "python":
        out.notes.append(
            f"each check's cost: {NOT_FOR_TARGET} (no no-auth server on {pair.runtime} to "
            "subtract: add a target file with kind = 'baseline'; the lab's is Python's floor)"
        )
    out.session_rps = number((run.summary_row(pair.session) or {}).get("max_throughput_rps"))
    out.token_rps = number((run.summary_row(pair.token) or {}).get("max_throughput_rps"))
    out.capacity = capacity_decision(run, pair.token, pair.session, "maximum throughput")
    saturated = [
        v
        for v in (pair.session, pair.token)
        if bool((run.summary_row(v) or {}).get("generator_saturated"))
    ]
    if saturated:
        out.notes.append(
            "the load generator was saturated for " + ", ".join(saturated) + ": its throughput "
            "is the generator's limit"
        )
    return out


UNDECIDED = "undecided"
DECIDED = "decided"


def _verdict(decision: Decision | None) -> tuple[str, str]:
    """(above or below the threshold, how sure): decided where the whole interval lies on
    that side beyond the run-to-run band (reports.bands.RUN_TO_RUN), as the claims' figures
    are; undecided at this run's precision otherwise."""
    if decision is None:
        return "not measured", ""
    word = "above" if decision.above else "below"
    interval = decision.interval
    if interval is None:
        # As the claims take such a figure (fewer than three samples: capacities over two
        # repetitions, a folder without steady seconds): as measured, and said so.
        return word, f"{DECIDED} without an interval (under three samples)"
    line = f"{fmt.TIMES}{decision.threshold}"
    band = with_band(line, decision.run_to_run)
    if interval.side(decision.threshold) == "straddles":
        return word, f"{UNDECIDED}: the interval straddles {line}"
    if decision.within_run_to_run:
        return word, f"{UNDECIDED}: the ratio lies within {band}"
    if not decision.decided:
        return word, f"{UNDECIDED}: the interval reaches into {band}"
    if interval.side(decision.threshold) != word:
        return word, f"{UNDECIDED}: the interval lies on the other side"
    return word, DECIDED


def _check(value: float | None, runtime: str) -> str:
    if value is not None:
        return fmt.us(value)
    if runtime == "python":
        return "not measured: the run had no baseline (add it to --only)"
    return NOT_FOR_TARGET


def _interval_text(decision: Decision | None) -> str:
    interval: Interval | None = decision.interval if decision else None
    if interval is None:
        return "-"
    return f"{fmt.ratio(interval.low)}-{fmt.ratio(interval.high)}"


HEAVY_WORDS = {"above": "heavy", "below": "not heavy"}
BETTER_WORDS = {"above": "much better", "below": "not much better"}
LIGHT_WORDS = {"above": "light", "below": "not light"}


@dataclass(frozen=True)
class Agreement:
    claim: str
    by_runtime: dict[str, str]
    conclusion: str


def _agreement(claim: str, words: dict[str, tuple[str, str]], meaning: dict[str, str]) -> Agreement:
    """Whether a verdict holds on every runtime: worded by what the intervals decide."""
    shown = {
        runtime: meaning.get(word, word) + (f" ({sure})" if sure else "")
        for runtime, (word, sure) in words.items()
    }
    undecided = [r for r, (_, sure) in words.items() if not sure.startswith(DECIDED)]
    measured_words = {w for w, _ in words.values() if w != "not measured"}
    each = ", ".join(f"{r}: {meaning.get(w, w)}" for r, (w, _) in words.items())
    open_on = f"not decided at this run's precision on {', '.join(undecided)}"
    if len(words) < 2:
        conclusion = "one runtime only in this run: nothing to compare"
    elif len(measured_words) > 1 and not undecided:
        conclusion = f"the runtime changes it ({each})"
    elif len(measured_words) > 1:
        conclusion = f"it differs in this run ({each}), but is {open_on}: a longer run may agree"
    elif not undecided:
        conclusion = f"holds on every runtime ({each})"
    else:
        conclusion = f"the same on every runtime in this run ({each}), but {open_on}"
    return Agreement(claim, shown, conclusion)


@dataclass
class RuntimesView:
    pairs: list[RuntimePair]
    rows: list[dict[str, Any]]
    agreements: list[Agreement]
    targets: list[dict[str, Any]]
    notes: list[str]
    run_to_run: float = RUN_TO_RUN  # the band a verdict's interval must clear (a share)


def _target_rows(run: RunData) -> list[dict[str, Any]]:
    """What each target's run measured and what it did not, for the page."""
    rows = []
    verification = (
        {} if run.verification.empty else run.verification.set_index("variant").to_dict("index")
    )
    wire = run.wire
    for name, info in run.described.items():
        if not info.get("target"):
            continue
        checked = verification.get(name, {})
        me_bytes = None
        if not wire.empty and {"variant", "request"} <= set(wire.columns):
            found = wire[(wire["variant"] == name) & (wire["request"] == "GET /me")]
            if not found.empty:
                row = found.iloc[0]
                me_bytes = (
                    f"{fmt.count(row['request_bytes'])} B out, "
                    f"{fmt.count(row['response_bytes'])} B back"
                )
        window = number(checked.get("revocation_window_s"))
        observed = checked.get("logout_observed")
        revocation = NOT_FOR_TARGET
        if isinstance(observed, str):
            if window == 0:
                revocation = f"{observed}; window 0 s"
            elif window is not None and observed.startswith("accepted"):
                revocation = f"{observed}; window up to its expiry, {window:,.0f} s"
            elif window is not None:
                revocation = f"{observed}; window at most {window:,.0f} s"
            else:
                revocation = observed
        summary = run.summary_row(name) or {}
        rows.append(
            {
                "name": name,
                "runtime": info.get("runtime", "-"),
                "file": (info.get("target") or {}).get("file", "-"),
                "verified": "yes"
                if checked.get("ok") in (True, "True")
                else (f"no: {checked.get('detail')}" if checked else "not started"),
                "p50": fmt.ms(number(summary.get("p50_us"))),
                "p99": fmt.ms(number(summary.get("p99_us"))),
                "wire": me_bytes or NOT_FOR_TARGET,
                "revocation": revocation,
                "not_measured": (
                    "request mix with transfers, login storm, logout churn, refresh, "
                    f"scale-out, store outage, resident sessions, CSRF and XSS in browsers: "
                    f"{NOT_FOR_TARGET}"
                ),
            }
        )
    return rows


def view(run: RunData) -> RuntimesView | None:
    """The cross-runtime section, or None where the run has no target."""
    if not any(info.get("target") for info in run.described.values()):
        return None
    pairs = runtime_pairs(run)
    measured_pairs = [figures(run, pair) for pair in pairs]
    rows: list[dict[str, Any]] = []
    for f in measured_pairs:
        heavy = _verdict(f.ratio)
        better = _verdict(f.capacity)
        light = _verdict(f.checks)
        checks = [
            _check(f.session_check_us, f.pair.runtime),
            _check(f.token_check_us, f.pair.runtime),
        ]
        rows.append(
            {
                "runtime": f.pair.runtime,
                "pair": f"{f.pair.session} / {f.pair.token}",
                "session_us": fmt.us(f.session_us),
                "token_us": fmt.us(f.token_us),
                "ratio": fmt.ratio(f.ratio.value if f.ratio else None),
                "interval": _interval_text(f.ratio),
                "decision": f.ratio.text() if f.ratio else "not measured",
                "heavy": heavy,
                "heavy_word": HEAVY_WORDS.get(heavy[0], heavy[0]),
                "session_check": checks[0],
                "token_check": checks[1],
                "checks": checks[0] if checks[0] == checks[1] else " / ".join(checks),
                "session_rps": fmt.rps(f.session_rps),
                "token_rps": fmt.rps(f.token_rps),
                "capacity": fmt.ratio(f.capacity.value if f.capacity else None),
                "capacity_interval": _interval_text(f.capacity),
                "checks_ratio": fmt.ratio(f.checks.value if f.checks else None),
                "checks_interval": _interval_text(f.checks),
                "light": light,
                "light_word": LIGHT_WORDS.get(light[0], light[0]),
                "much_better": better,
                "much_better_word": BETTER_WORDS.get(better[0], better[0]),
                "notes": f.notes,
            }
        )
    agreements = [
        _agreement(
            "Sessions put a heavy load on the server (session / token CPU per GET /me "
            f"at least {fmt.TIMES}{HEAVY})",
            {r["runtime"]: r["heavy"] for r in rows},
            HEAVY_WORDS,
        ),
        _agreement(
            "Tokens do not load the server (a session check / a token check at least "
            f"{fmt.TIMES}{HEAVY}: the token's is light beside it)",
            {r["runtime"]: r["light"] for r in rows},
            LIGHT_WORDS,
        ),
        _agreement(
            "Tokens are much better on capacity (token / session maximum throughput at least "
            f"{fmt.TIMES}{HEAVY})",
            {r["runtime"]: r["much_better"] for r in rows},
            BETTER_WORDS,
        ),
    ]
    notes = []
    if not any(p.runtime == "python" for p in pairs):
        notes.append(
            "the lab's own pair (session-redis, token-hs256) was not in this run: "
            "add --only session-redis,token-hs256 (or run a profile with them) beside --target"
        )
    return RuntimesView(pairs, rows, agreements, _target_rows(run), notes)


def csv_rows(section: RuntimesView) -> list[dict[str, Any]]:
    """The table as report/runtimes.csv."""
    return [
        {
            key: ("; ".join(v for v in value if v) if isinstance(value, tuple) else value)
            for key, value in row.items()
            if key not in ("notes", "checks", "heavy_word", "light_word", "much_better_word")
        }
        for row in section.rows
    ]
