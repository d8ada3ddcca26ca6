"""One line under each figure, computed from the same data the figure draws: what to read
from it in this run (not what one expects to see)."""

from __future__ import annotations

from collections.abc import Callable

from reports import costs, fmt
from reports.load import RunData, variant_order
from reports.metrics import complete_seconds, login_costs, number, outage_stats, wire_bytes
from reports.sections.outage_section import down_interval


def _extremes(values: dict[str, float]) -> tuple[tuple[str, float], tuple[str, float]] | None:
    clean = {k: v for k, v in values.items() if v is not None and v == v}  # v == v: not NaN
    if not clean:
        return None
    low = min(clean.items(), key=lambda item: item[1])
    high = max(clean.items(), key=lambda item: item[1])
    return low, high


def _summary_column(run: RunData, column: str) -> dict[str, float]:
    found = {}
    for variant in variant_order(run):
        value = number((run.summary_row(variant) or {}).get(column))
        if value is not None:
            found[variant] = value
    return found


def latency(run: RunData) -> str:
    """The p99 of the variants table (summary.csv), so the line and the table agree."""
    ends = _extremes(_summary_column(run, "p99_us"))
    if ends is None:
        return ""
    (low_v, low), (high_v, high) = ends
    return f"p99 from {fmt.ms(low)} ({low_v}) to {fmt.ms(high)} ({high_v})."


def throughput(run: RunData) -> str:
    ends = _extremes(_summary_column(run, "max_throughput_rps"))
    if ends is None:
        return ""
    (low_v, low), (high_v, high) = ends
    return (
        f"From {fmt.rps(low)} ({low_v}) to {fmt.rps(high)} ({high_v}), {fmt.ratio(high / low)} "
        f"apart ({costs.short_source(run)})."
    )


def cpu(run: RunData) -> str:
    """The credential check as the bars draw it: each variant's cost above the baseline's."""
    split = costs.cpu_split(run)
    checks = {str(r["variant"]): float(r["check_us"]) for _, r in split.iterrows()
              if r["check_us"] > 0}  # fmt: skip
    ends = _extremes(checks)
    if ends is None or split.empty:
        return ""
    (low_v, low), (high_v, high) = ends
    floor = float(split["floor_us"].max())
    return (
        f"Above the no-check baseline's {fmt.us(floor)}, the credential check adds "
        f"{fmt.us(low)} ({low_v}) to {fmt.us(high)} ({high_v}) per request."
    )


def login(run: RunData) -> str:
    rows = login_costs(run).dropna(subset=["ratio"])
    if rows.empty:
        return ""
    return (
        f"One login costs {fmt.ratio(rows['ratio'].min())} to {fmt.ratio(rows['ratio'].max())} "
        "an authenticated request's server CPU."
    )


def sessions(run: RunData) -> str:
    scale = run.sessions_at_scale
    if scale.empty or "bytes_per_session" not in scale:
        return ""
    largest = scale[scale["sessions"] == scale["sessions"].max()]
    parts = [
        f"{row['store']} {fmt.size(row['bytes_per_session'])}"
        for _, row in largest.iterrows()
        if number(row.get("bytes_per_session")) is not None
    ]
    return (
        f"Per live session, measured with {fmt.count(largest['sessions'].iloc[0])}: "
        + ", ".join(parts)
        + "; a million is extrapolated from these."
    )


def wire(run: RunData) -> str:
    sizes = {v: wire_bytes(run, v) for v in variant_order(run)}
    ends = _extremes({v: float(s[0]) for v, s in sizes.items() if s})
    if ends is None:
        return ""
    (low_v, low), (high_v, high) = ends
    return f"A GET /me request is {low:.0f} B ({low_v}) to {high:.0f} B ({high_v})."


def scale_out(run: RunData) -> str:
    table = run.scale_out
    if table.empty:
        return ""
    return (
        "Failed without sticky routing: "
        + ", ".join(f"{r['variant']} {fmt.pct(r['failure_rate'])}" for _, r in table.iterrows())
        + "."
    )


def outage(run: RunData) -> str:
    """How long the store was down, and what each variant served in the seconds it was
    down throughout (the figure the claims hold against 'carries on')."""
    stats = outage_stats(run)
    if not stats:
        return ""
    spans = []
    for _, group in run.outage.groupby("variant", sort=False):
        span = down_interval(complete_seconds(group))
        if span is not None:
            spans.append(span[1] - span[0])
    down = f"The store was down {max(spans):.1f} s" if spans else "The store was down"
    served = ", ".join(f"{s.variant} {fmt.pct(s.goodput)}" for s in stats if s.goodput is not None)
    full = min(s.seconds_down for s in stats)
    return (
        f"{down}; of their normal throughput, in the {full} full second(s) it was down: {served}."
    )


TAKEAWAYS: dict[str, Callable[[RunData], str]] = {
    "latency": latency,
    "throughput": throughput,
    "cpu": cpu,
    "login": login,
    "sessions": sessions,
    "bytes": wire,
    "scale-out": scale_out,
    "outage": outage,
}


def takeaway(figure_id: str, run: RunData) -> str:
    function = TAKEAWAYS.get(figure_id)
    return function(run) if function else ""
