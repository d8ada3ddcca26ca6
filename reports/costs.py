"""What one authenticated request costs a variant, and which pairs of variants to compare.

The summary's figures come from phases that send only GET /me: capacity from the
closed loop (`me-closed`), CPU per request and latency from an open model at one
offered rate for every variant (`me-rate`: the same load for all compared, every
variant loaded at the same time, at the rate at which together they keep the server
core about half busy), each phase's CPU and requests counted in its steady window. A folder
from before the matched load took CPU per request from the closed loop; an older one
still has only the mixed figures: they are used, and every text says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from reports.intervals import Batches, Interval, bootstrap, rate
from reports.load import RunData, variant_order
from reports.metrics import Measure, number
from results_format import phase_ids, tables

GET_ONLY = phase_ids.ME_CLOSED  # closed loop to saturation, GET /me only: capacity
GET_RATE = phase_ids.ME_RATE  # one offered rate for all variants, GET /me only: CPU and latency
MIXED = phase_ids.STEP  # browsing with 20% POST /transfer

# Like for like: a session ends at logout, a token without a deny list does not.
PAIRS: tuple[tuple[str, str, str], ...] = (
    ("session-redis", "token-hs256", "deployable defaults"),
    ("session-redis", "token-hs256-denylist", "equal logout"),
)


def get_only(run: RunData) -> bool:
    """Whether this folder's summary figures come from the GET-only phases."""
    return run.figure_source == "get-only"


def matched_rate(run: RunData) -> float | None:
    """The one offered rate at which this folder measured every variant's CPU per
    request (None: a folder from before the matched load, CPU from the closed loop)."""
    phases = run.phases
    if phases.empty or "offered_rps" not in phases or "cpu_window" not in phases:
        return None
    rows = phases[(phases["phase"] == GET_RATE) & phases["offered_rps"].notna()]
    if rows.empty:
        return None
    return float(rows["offered_rps"].median())


def side_by_side(run: RunData) -> int:
    """How many variants ran their matched-rate phase at the same time (0: a folder from
    before, where each ran its own in turn)."""
    matched = run.status.get("matched_load") or {}
    return int(matched.get("side_by_side") or 0)


def cost_phase(run: RunData) -> str:
    if not get_only(run):
        return MIXED
    return GET_RATE if matched_rate(run) else GET_ONLY


def source_text(run: RunData) -> str:
    """Where the per-request figures come from, for every line that quotes one."""
    offered = matched_rate(run) if get_only(run) else None
    if offered:
        together = side_by_side(run)
        return (
            f"GET /me alone, every variant at the same offered {offered:,.0f} requests/s "
            f"(open model{f', all {together} loaded side by side' if together > 1 else ''}), "
            "steady window"
        )
    if get_only(run):
        return "GET /me alone, closed loop"
    if run.figure_source == "mixed":
        return (
            "the mixed phase (browsing with 20% POST /transfer): this results folder has no "
            "GET-only CPU figures"
        )
    return (
        "the mixed phase (browsing with 20% POST /transfer): this results folder predates "
        "the GET-only phase"
    )


def short_source(run: RunData) -> str:
    offered = matched_rate(run) if get_only(run) else None
    if offered:
        return f"GET /me alone at {offered:,.0f} requests/s"
    if get_only(run):
        return "GET /me alone"
    return "mixed phase" + (", an older results folder" if run.figure_source == "older" else "")


@dataclass(frozen=True)
class Cost:
    """Server + store CPU per request: the summary's median and spread, and each
    repetition's value (phases.csv), keyed by repetition."""

    measure: Measure
    by_repetition: dict[int, float]

    @property
    def median(self) -> float:
        return self.measure.median

    @property
    def repetitions(self) -> tuple[float, ...]:
        return tuple(self.by_repetition[k] for k in sorted(self.by_repetition))


def per_repetition(
    run: RunData, variant: str, columns: tuple[str, ...], phase: str
) -> dict[int, float]:
    """{repetition: the sum of `columns`} over `phase` (a row missing a column counts 0
    for it; a row missing all of them is left out). Keyed, so that two variants pair up
    by the repetition they were measured in, never by position."""
    phases = run.phases
    if phases.empty or "phase" not in phases or not any(c in phases for c in columns):
        return {}
    rows = phases[(phases["variant"] == variant) & (phases["phase"] == phase)]
    values: dict[int, float] = {}
    for position, (_, row) in enumerate(rows.iterrows()):
        found = [number(row.get(c)) for c in columns if c in rows]
        if all(v is None for v in found):
            continue
        key = number(row.get("repetition"))
        values[int(key) if key is not None else position] = sum(v for v in found if v is not None)
    return values


def request_cost(run: RunData, variant: str, mixed: bool = False) -> Cost | None:
    """Server plus store CPU per request: GET /me alone where the folder has it (else the
    mixed phase's, as the summary's figure source says), or the mixed phase's with
    mixed=True."""
    row = run.summary_row(variant)
    prefix = tables.MIXED_PREFIX if mixed else ""
    server = Measure.of(row, f"{prefix}server_cpu_us_per_request")
    if server is None:
        return None
    total = server + Measure.of(row, f"{prefix}store_cpu_us_per_request")
    phase = MIXED if mixed else cost_phase(run)
    reps = per_repetition(
        run, variant, ("server_cpu_us_per_request", "redis_cpu_us_per_request"), phase
    )
    return Cost(total, reps)


def runtime(run: RunData, variant: str) -> str:
    """What a variant's server runs on: the lab's own are Python; a target file names its."""
    return str(run.variant_info(variant).get("runtime") or "python")


def _baseline(run: RunData, variant: str) -> str | None:
    """The no-auth baseline that is `variant`'s floor: one on the same runtime (the lab's
    for Python; a target file's kind = "baseline" for another), since a Node server's cost
    minus a Python server's would be no check's cost."""
    from reports.metrics import variants_where

    mine = runtime(run, variant)
    found = [
        b
        for b in variants_where(run, kind="baseline")
        if run.summary_row(b) and runtime(run, b) == mine
    ]
    return found[0] if found else None


def credential_us(run: RunData, variant: str) -> float | None:
    """What checking the credential costs the backend per request: the variant's server
    plus store CPU minus the no-auth baseline's (a session's Redis work is part of its
    check; the baseline has no store)."""
    baseline = _baseline(run, variant)
    mine = request_cost(run, variant)
    floor = request_cost(run, baseline) if baseline else None
    if mine is None or floor is None:
        return None
    return mine.median - floor.median


def credential_repetitions(run: RunData, variant: str) -> dict[int, float]:
    """The credential check's cost in each repetition: the variant's minus the baseline's
    of the same repetition (interleaved runs, so the same machine state)."""
    baseline = _baseline(run, variant)
    if baseline is None:
        return {}
    columns = ("server_cpu_us_per_request", "redis_cpu_us_per_request")
    mine = per_repetition(run, variant, columns, cost_phase(run))
    floor = per_repetition(run, baseline, columns, cost_phase(run))
    return {k: mine[k] - floor[k] for k in mine if k in floor}


def store_ops_per_request(run: RunData, variant: str) -> float | None:
    """Median Redis commands per request in the cost phase (None without a Redis)."""
    values = list(
        per_repetition(run, variant, ("redis_commands_per_request",), cost_phase(run)).values()
    )
    if not values:
        return None
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def pairs(run: RunData) -> list[tuple[str, str, str]]:
    """The like-for-like pairs this run measured both sides of."""
    return [
        (s, t, why)
        for s, t, why in PAIRS
        if run.summary_row(s) is not None and run.summary_row(t) is not None
    ]


def cpu_split(run: RunData) -> pd.DataFrame:
    """Per variant: server + store CPU per request split at the no-auth baseline's
    (floor_us), what the credential adds above it (check_us, the same figure as
    credential_us and the claims), and the store's share of that (store_us). Each variant is
    split at the baseline of its own runtime (a target file's runtime has its own, or none)."""
    rows = []
    for variant in variant_order(run):
        cost = request_cost(run, variant)
        if cost is None:
            continue
        baseline = _baseline(run, variant)
        floor = request_cost(run, baseline) if baseline else None
        row = run.summary_row(variant) or {}
        store = number(row.get("store_cpu_us_per_request")) or 0.0
        base = min(floor.median, cost.median) if floor else cost.median
        rows.append(
            {
                "variant": variant,
                "total_us": cost.median,
                "floor_us": base,
                "check_us": cost.median - base,
                "store_us": min(store, cost.median - base),
            }
        )
    return pd.DataFrame(rows, columns=["variant", "total_us", "floor_us", "check_us", "store_us"])


# --- the samples the deciding figures' intervals resample (reports.intervals) ----------


def _batch_rows(run: RunData, variant: str, phase: str) -> dict[int, list[dict[str, object]]]:
    table = run.batches
    if table.empty or not {"variant", "phase", "repetition"} <= set(table.columns):
        return {}
    rows = table[(table["variant"] == variant) & (table["phase"] == phase)]
    found: dict[int, list[dict[str, object]]] = {}
    for _, row in rows.iterrows():
        found.setdefault(int(row["repetition"]), []).append(row.to_dict())
    return found


def cost_samples(run: RunData, variant: str) -> dict[int, Batches]:
    """Server + store CPU seconds over requests, per steady-window batch and repetition;
    a folder without batches: each repetition's figure as one batch."""
    phase = cost_phase(run)
    found = {
        k: [
            # In µs, as the per-repetition figures of a folder without batches are.
            (((number(b.get("server_cpu_s")) or 0.0) + (number(b.get("redis_cpu_s")) or 0.0))
             * 1e6, float(number(b.get("requests")) or 0.0))
            for b in rows
        ]
        for k, rows in _batch_rows(run, variant, phase).items()
    }  # fmt: skip
    if found:
        return found
    columns = ("server_cpu_us_per_request", "redis_cpu_us_per_request")
    return {k: [(v, 1.0)] for k, v in per_repetition(run, variant, columns, phase).items()}


def capacity_samples(run: RunData, variant: str) -> dict[int, Batches]:
    """Each repetition's closed-loop capacity as one batch: a closed loop is too short
    for several steady seconds in every repetition, so capacities resample over
    repetitions only."""
    values = per_repetition(run, variant, ("throughput_rps",), GET_ONLY)
    return {k: [(v, 1.0)] for k, v in values.items()}


def estimate(
    run: RunData,
    variants: tuple[str, ...],
    statistic: Callable[[Mapping[str, float]], float | None],
    samples: Callable[[RunData, str], dict[int, Batches]] = cost_samples,
) -> tuple[float | None, Interval | None]:
    """A figure of these variants' rates (CPU per request by default) over every batch of
    the repetitions they share, and its confidence interval resampled over repetitions and
    batches (reports.intervals): the point and the interval of one statistic, so that the
    point lies inside its interval. (None, None) where there is no interval to give."""
    found = {name: samples(run, name) for name in dict.fromkeys(variants)}
    if not all(found.values()):
        return None, None
    interval = bootstrap(found, statistic)
    if interval is None:
        return None, None
    common = set.intersection(*(set(reps) for reps in found.values()))
    rates = {}
    for name, reps in found.items():
        pooled = rate([batch for k in sorted(common) for batch in reps[k]])
        if pooled is None:
            return None, None
        rates[name] = pooled
    return statistic(rates), interval


def baseline_name(run: RunData, variant: str) -> str | None:
    """The no-auth floor a variant's check is measured from (its own runtime's)."""
    return _baseline(run, variant)
