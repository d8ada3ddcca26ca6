"""One line under each figure, computed from the same data the figure draws: what to read
from it in this run (not what one expects to see)."""

from __future__ import annotations

from collections.abc import Callable

from reports import costs, fmt
from reports.figures import memory_peaks, outage_summary_text, store_ops_summary
from reports.load import RunData, variant_order
from reports.metrics import credential_check_us, login_costs, number, outage_stats, wire_bytes


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
    values = {}
    for variant in variant_order(run):
        cost = costs.request_cost(run, variant)
        if cost is not None:
            values[variant] = cost.median
    ends = _extremes(values)
    if ends is None:
        return ""
    (low_v, low), (high_v, high) = ends
    text = f"From {fmt.us(low)} ({low_v}) to {fmt.us(high)} ({high_v}) per request"
    checks = {v: credential_check_us(run, v) for v in values}
    check_ends = _extremes({v: c for v, c in checks.items() if c})
    if check_ends is not None:
        text += (
            f"; the credential check's primitives, timed in-process (primitives.csv): "
            f"{fmt.us(check_ends[0][1])} ({check_ends[0][0]}) to {fmt.us(check_ends[1][1])} "
            f"({check_ends[1][0]})"
        )
    return text + "."


def login(run: RunData) -> str:
    rows = login_costs(run).dropna(subset=["ratio"])
    if rows.empty:
        return ""
    return (
        f"One login costs {fmt.ratio(rows['ratio'].min())} to {fmt.ratio(rows['ratio'].max())} "
        "an authenticated request's server CPU."
    )


def memory(run: RunData) -> str:
    peaks = memory_peaks(run.process_samples, run.redis_samples)
    if peaks.empty:
        return ""
    parts = []
    for column, what in (("rss_mib", "server RSS"), ("redis_mib", "Redis")):
        ends = _extremes(dict(zip(peaks["variant"], peaks[column], strict=True)))
        if ends is not None and ends[1][1] == ends[1][1]:  # not NaN
            (low_v, low), (high_v, high) = ends
            parts.append(f"{what} peaks at {low:,.0f} MiB ({low_v}) to {high:,.0f} MiB ({high_v})")
    return ("; ".join(parts) + ".") if parts else ""


def store_ops(run: RunData) -> str:
    summary = store_ops_summary(run.redis_samples)
    if summary.empty:
        return ""
    ends = _extremes(dict(zip(summary["variant"], summary["median_ops"], strict=True)))
    if ends is None:
        return ""
    (low_v, low), (high_v, high) = ends
    return (
        f"While busy: {fmt.count(high)} operations/s ({high_v}) against {fmt.count(low)} ({low_v})."
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
    return f"Per session at {fmt.count(largest['sessions'].iloc[0])}: " + ", ".join(parts) + "."


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
    text = outage_summary_text(outage_stats(run))
    return f"This run: {text}." if text else ""


TAKEAWAYS: dict[str, Callable[[RunData], str]] = {
    "latency": latency,
    "throughput": throughput,
    "cpu": cpu,
    "login": login,
    "memory": memory,
    "store-ops": store_ops,
    "sessions": sessions,
    "bytes": wire,
    "scale-out": scale_out,
    "outage": outage,
}


def takeaway(figure_id: str, run: RunData) -> str:
    function = TAKEAWAYS.get(figure_id)
    return function(run) if function else ""
