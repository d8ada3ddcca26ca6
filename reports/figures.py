"""The report's figures: one function per figure, each drawing its data on a given Axes.

No pyplot: callers make a matplotlib.figure.Figure on an Agg canvas
(new_figure) and pass its axes, so that nothing global is touched and
figures can be drawn from threads, tests and notebooks alike. Each function
returns False (and says so on the axes) when its data is empty, True when it
drew something."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from reports import legacy
from reports.fmt import TIMES, duration
from reports.metrics import OutageStats, complete_seconds, normal_rate

# One colour per variant, the same in every figure: the run's own (RunData.palette, from
# its manifest); a name it does not colour gets one of its own.
Palette = Mapping[str, str]


def colour(variant: str, palette: Palette | None = None) -> str:
    if palette and variant in palette:
        return palette[variant]
    known = legacy.VARIANTS.get(variant)
    return str(known["colour"]) if known else legacy.extra_colour(variant)


def new_figure(width: float = 7.0, height: float = 3.8) -> tuple[Figure, Axes]:
    """A figure on the Agg canvas with one Axes (no pyplot state)."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # the Agg canvas, for this figure only: no global backend switch
    return figure, figure.add_subplot()


def png(figure: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (for a notebook's display, or a file)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _nothing(ax: Axes, what: str = "not measured in this run") -> bool:
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes, color="#666666")
    ax.set_axis_off()
    return False


def _legend_below(ax: Axes, columns: int = 3) -> None:
    """A legend under the axes, where it covers no data (constrained layout makes room)."""
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=columns, fontsize="small",
        frameon=False,
    )  # fmt: skip


def _plain_log_ticks(axis: Any) -> None:
    """Log-axis labels as 2, 10, 300, 1k, 10M rather than 10^x, and no minor labels."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: _plain(v)))
    axis.set_minor_formatter(FuncFormatter(lambda v, _: ""))


def _plain(value: float) -> str:
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:g}{suffix}"
    return f"{value:g}"


def _short(names: Iterable[str]) -> list[str]:
    return [name.replace("-denylist", "-deny").replace("token-", "tok-") for name in names]


# --- latency ------------------------------------------------------------------------


def latency_percentiles(curves: pd.DataFrame, ax: Axes, palette: Palette | None = None) -> bool:
    """Latency against percentile, both on log scales, one line per variant.

    The x axis is 1 / (1 - p): 50% at 2, 90% at 10, 99% at 100, ... so that
    every "nine" gets the same width and the tail is as visible as the median.
    """
    if curves.empty:
        return _nothing(ax)
    right = 2.0
    for variant, rows in curves.groupby("variant", sort=False):
        x = 1.0 / (1.0 - rows["percentile"].clip(upper=99.999) / 100.0)
        right = max(right, float(x.max()))
        ax.plot(
            x, rows["latency_us"] / 1000.0, label=str(variant), color=colour(str(variant), palette)
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ticks = [(2, "50%"), (10, "90%"), (100, "99%"), (1000, "99.9%"), (10000, "99.99%")]
    shown = [(t, label) for t, label in ticks if t <= right * 1.01] or ticks[:1]
    ax.set_xticks([t for t, _ in shown], [label for _, label in shown])
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.set_xlim(2, right * 1.1)
    ax.set_xlabel("percentile")
    ax.set_ylabel("latency (ms, from when due)")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    _plain_log_ticks(ax.yaxis)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small", loc="upper left")
    return True


# --- throughput and CPU ---------------------------------------------------------------


def max_throughput(summary: pd.DataFrame, ax: Axes, palette: Palette | None = None) -> bool:
    """Peak requests/s of the step ramp: bar = median, whisker = min..max over repetitions."""
    if summary.empty or "max_throughput_rps" not in summary:
        return _nothing(ax)
    rows = summary.dropna(subset=["max_throughput_rps"])
    if rows.empty:
        return _nothing(ax)
    names = [str(v) for v in rows["variant"]]
    median = rows["max_throughput_rps"].to_numpy(dtype=float)
    low = rows.get("max_throughput_rps_min", rows["max_throughput_rps"]).to_numpy(dtype=float)
    high = rows.get("max_throughput_rps_max", rows["max_throughput_rps"]).to_numpy(dtype=float)
    error = np.vstack([np.nan_to_num(median - low), np.nan_to_num(high - median)])
    saturated = [bool(v) for v in rows.get("generator_saturated", [False] * len(rows))]
    y = np.arange(len(names))
    bars = ax.barh(y, median, xerr=error, color=[colour(n, palette) for n in names], capsize=3)
    for bar, flagged in zip(bars, saturated, strict=True):
        if flagged:
            bar.set_hatch("//")
    labels = [f"{n} (gen. saturated)" if s else n for n, s in zip(names, saturated, strict=True)]
    ax.set_yticks(y, labels, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("maximum throughput (requests/s)")
    ax.grid(True, axis="x", alpha=0.3)
    return True


def cpu_per_request(split: pd.DataFrame, ax: Axes) -> bool:
    """Server CPU µs per request, stacked: credential check (primitive costs) + the rest;
    the store's own CPU (Redis) beside it, hatched."""
    if split.empty:
        return _nothing(ax)
    names = [str(v) for v in split["variant"]]
    y = np.arange(len(names))
    check = split["check_us"].astype(float).fillna(0.0).to_numpy()
    rest = split["rest_us"].astype(float).to_numpy()
    unsplit = np.isnan(rest)
    rest = np.where(unsplit, split["server_us"].astype(float).to_numpy(), rest)
    store = split["store_us"].astype(float).fillna(0.0).to_numpy()
    ax.barh(y, check, color="#d62728", label="credential check (primitive costs)")
    ax.barh(y, rest, left=check, color="#9ecae1", label="everything else in the server")
    ax.barh(
        y,
        store,
        left=check + rest,
        color="white",
        edgecolor="#555555",
        hatch="///",
        label="store process (Redis) CPU",
    )
    ax.set_yticks(y, names, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("CPU µs per authenticated request")
    _legend_below(ax, columns=2)
    ax.grid(True, axis="x", alpha=0.3)
    return True


def login_vs_request(costs: pd.DataFrame, ax: Axes) -> bool:
    """Server CPU of one login (argon2id at OWASP's cost) against one authenticated request."""
    if costs.empty or costs["login_us"].isna().all():
        return _nothing(ax)
    rows = costs.dropna(subset=["login_us"])
    names = [str(v) for v in rows["variant"]]
    x = np.arange(len(names))
    width = 0.4
    login = rows["login_us"].astype(float).to_numpy() / 1000.0
    request = rows["request_us"].astype(float).to_numpy() / 1000.0
    ax.bar(x - width / 2, login, width, color="#d62728", label="one login")
    ax.bar(x + width / 2, request, width, color="#1f77b4", label="one authenticated request")
    for position, top, ratio in zip(x, login, rows["ratio"], strict=True):
        if ratio == ratio and ratio:  # not NaN
            ax.annotate(f"{TIMES}{ratio:,.0f}", (position, top), ha="center", va="bottom")
    ax.set_yscale("log")
    ax.set_ylim(top=float(np.nanmax(login)) * 4)
    _plain_log_ticks(ax.yaxis)
    ax.set_xticks(x, _short(names), fontsize="small", rotation=20 if len(names) > 4 else 0)
    ax.set_ylabel("server CPU (ms, log scale)")
    _legend_below(ax, columns=2)
    ax.grid(True, axis="y", alpha=0.3)
    return True


# --- memory and store over time -------------------------------------------------------


def memory_peaks(processes: pd.DataFrame, redis: pd.DataFrame) -> pd.DataFrame:
    """Per variant: the largest server RSS and Redis used_memory sampled over the run (MiB);
    samples of stopped processes (RSS 0) are left out."""
    rows: dict[str, dict[str, float]] = {}
    if not processes.empty and "rss_bytes" in processes:
        servers = processes[processes["role"] == "server"] if "role" in processes else processes
        servers = servers[servers["rss_bytes"] > 0]
        for name, group in servers.groupby("name", sort=False):
            variant = str(name).removeprefix("server-")
            rows.setdefault(variant, {})["rss_mib"] = float(group["rss_bytes"].max()) / 2**20
    if not redis.empty and "used_memory" in redis:
        for name, group in redis.groupby("name", sort=False):
            rows.setdefault(str(name), {})["redis_mib"] = float(group["used_memory"].max()) / 2**20
    frame = pd.DataFrame(
        [{"variant": v, **values} for v, values in rows.items()],
        columns=["variant", "rss_mib", "redis_mib"],
    )
    return frame


def memory_over_time(
    processes: pd.DataFrame, redis: pd.DataFrame, ax: Axes, palette: Palette | None = None
) -> bool:
    """Two small panels sharing the variants' rows: the largest server RSS, and the largest
    Redis used_memory (each on its own scale: a Redis of 1 MiB beside a server of 140 MiB
    would not show). A timeline with 10-20 lines on one axis could not be read."""
    peaks = memory_peaks(processes, redis)
    if peaks.empty:
        return _nothing(ax)
    names = [str(v) for v in peaks["variant"]]
    y = np.arange(len(names))
    figure = ax.get_figure()
    panels: list[Axes] = [ax]
    if peaks["redis_mib"].notna().any() and isinstance(figure, Figure):
        ax.remove()
        left, right = figure.subplots(1, 2, sharey=True)
        panels = [left, right]
    series = (("rss_mib", "server RSS, peak (MiB)"), ("redis_mib", "Redis used_memory, peak (MiB)"))
    for panel, (column, label) in zip(panels, series, strict=False):
        values = peaks[column].astype(float)
        panel.barh(y, values.fillna(0.0), color=[colour(n, palette) for n in names])
        for position, value in zip(y, values, strict=True):
            if value != value:  # NaN: this variant has no such process
                panel.annotate("-", (0, position), va="center", fontsize="small", color="#666666")
        panel.set_xlabel(label)
        panel.grid(True, axis="x", alpha=0.3)
    panels[0].set_yticks(y, names, fontsize="small")
    panels[0].invert_yaxis()
    return True


def store_ops_summary(redis: pd.DataFrame) -> pd.DataFrame:
    """Per variant's Redis: median and peak operations/s over the samples where it was busy
    (above 1% of its own peak, so idle gaps between phases do not pull the median down)."""
    if redis.empty or "ops_per_sec" not in redis:
        return pd.DataFrame(columns=["variant", "median_ops", "peak_ops"])
    rows = []
    for name, group in redis.groupby("name", sort=False):
        peak = float(group["ops_per_sec"].max())
        busy = group[group["ops_per_sec"] > 0.01 * peak] if peak > 0 else group
        rows.append(
            {"variant": str(name), "median_ops": float(busy["ops_per_sec"].median()),
             "peak_ops": peak}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["variant", "median_ops", "peak_ops"])


def store_operations(redis: pd.DataFrame, ax: Axes, palette: Palette | None = None) -> bool:
    """Redis operations per second of each variant's Redis: the median while busy (bar)
    and the peak (tick); one row per variant instead of overlapping timelines."""
    summary = store_ops_summary(redis)
    if summary.empty:
        return _nothing(ax)
    names = [str(v) for v in summary["variant"]]
    y = np.arange(len(names))
    ax.barh(
        y,
        summary["median_ops"],
        color=[colour(n, palette) for n in names],
        label="median while busy",
    )
    ax.scatter(summary["peak_ops"], y, marker="|", s=200, color="black", label="peak", zorder=3)
    ax.set_yticks(y, names, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("Redis operations/s")
    _legend_below(ax, columns=2)
    ax.grid(True, axis="x", alpha=0.3)
    return True


# --- state: sessions at scale ---------------------------------------------------------


def session_memory(scale: pd.DataFrame, ax: Axes) -> bool:
    """Bytes held for N live sessions in each store (log-log); the stateless token's
    zero is drawn as a flat black line at the foot of the axes."""
    if scale.empty or "bytes_total" not in scale:
        return _nothing(ax)
    rows = scale.dropna(subset=["bytes_total"])
    stored = rows[rows["bytes_total"] > 0]
    if stored.empty:
        return _nothing(ax)
    floor = float(stored["bytes_total"].min()) / 10.0
    markers = iter("osD^v<>ph*")
    for store, group in stored.groupby("store", sort=False):
        group = group.sort_values("sessions")
        ax.plot(
            group["sessions"],
            group["bytes_total"],
            marker=next(markers, "o"),
            linestyle="--" if str(store).startswith("token") else "-",
            label=str(store),
        )
    counts = sorted(float(v) for v in rows["sessions"].unique())
    left, right = counts[0] / 2, counts[-1] * 2
    zero = rows[rows["bytes_total"] <= 0]
    if not zero.empty:
        names = ", ".join(sorted(str(s) for s in zero["store"].unique()))
        ax.plot([left, right], [floor, floor], color="black", linewidth=2.5, label=f"{names}: 0 B")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(left, right)
    ax.set_ylim(bottom=floor * 0.6)
    ax.set_xticks(counts)
    _plain_log_ticks(ax.xaxis)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{_plain(v)}B"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.set_xlabel("live sessions (N)")
    ax.set_ylabel("bytes held")
    ax.grid(True, which="major", alpha=0.3)
    _legend_below(ax)
    return True


# --- wire -----------------------------------------------------------------------------


def bytes_per_request(wire: pd.DataFrame, ax: Axes) -> bool:
    """Bytes on the socket, headers included: each request of GET /me (what every
    authenticated request carries) and the login's answer (where the credential is issued)."""
    if wire.empty:
        return _nothing(ax)
    names = list(dict.fromkeys(str(v) for v in wire["variant"]))
    series = (
        ("GET /me", "request_bytes", "GET /me request", "#1f77b4"),
        ("GET /me", "response_bytes", "GET /me response", "#9ecae1"),
        ("POST /login", "response_bytes", "POST /login response", "#d62728"),
    )
    y = np.arange(len(names))
    height = 0.8 / len(series)
    for index, (request, column, label, tint) in enumerate(series):
        values = []
        for name in names:
            match = wire[(wire["variant"] == name) & (wire["request"] == request)]
            values.append(float(match[column].iloc[0]) if not match.empty else np.nan)
        ax.barh(y + (index - 1) * height, values, height, color=tint, label=label)
    ax.set_yticks(y, names, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("bytes (headers included)")
    _legend_below(ax)
    ax.grid(True, axis="x", alpha=0.3)
    return True


# --- experiments: scale-out and outage ------------------------------------------------


def scale_out_failures(scale_out: pd.DataFrame, ax: Axes, palette: Palette | None = None) -> bool:
    """Share of requests that failed with K instances and no sticky routing; the
    diamond is what is expected when each instance keeps its own sessions ((K-1)/K)."""
    if scale_out.empty:
        return _nothing(ax)
    names = [str(v) for v in scale_out["variant"]]
    x = np.arange(len(names))
    rates = scale_out["failure_rate"].astype(float).fillna(0.0) * 100
    ax.bar(x, rates, color=[colour(n, palette) for n in names])
    if "expected_if_state_is_local" in scale_out:
        ax.scatter(
            x,
            scale_out["expected_if_state_is_local"].astype(float) * 100,
            marker="D",
            color="black",
            zorder=3,
            label="expected if each instance keeps its own state",
        )
        ax.legend(fontsize="small")
    instances = scale_out["instances"].iloc[0] if "instances" in scale_out else "K"
    ax.set_xticks(x, names, fontsize="small")
    ax.set_ylabel(f"requests failed with {instances} instances (%)")
    ax.set_ylim(0, 100)
    ax.grid(True, axis="y", alpha=0.3)
    return True


def outage_timeline(outage: pd.DataFrame, ax: Axes, palette: Palette | None = None) -> bool:
    """Per-second success rate (solid) and answers per second against the second before
    the outage (dotted) of each variant; the grey bars are the share of each second the
    store was down."""
    if outage.empty:
        return _nothing(ax)
    filled = pd.concat(
        [complete_seconds(group) for _, group in outage.groupby("variant", sort=False)]
    )
    down = filled.groupby("second")["store_down"].max()
    # Row `second` counts what completed in [second, second + 1): bars span that interval
    # and the points sit in its middle.
    ax.bar(
        down.index, down.to_numpy() * 100, width=1.0, align="edge", color="#e4e4e4",
        label="store down (share of the second)",
    )  # fmt: skip
    for variant, rows in filled.groupby("variant", sort=False):
        total = rows["ok"] + rows["failed"]
        rate = np.where(total > 0, rows["ok"] / total.where(total > 0, 1) * 100, np.nan)
        ax.plot(
            rows["second"] + 0.5,
            rate,
            marker="o",
            color=colour(str(variant), palette),
            label=f"{variant} OK %",
        )
        normal = normal_rate(rows)
        if math.isnan(normal):  # no second before the outage
            normal = float(total.max())
        ax.plot(
            rows["second"] + 0.5,
            total / max(normal, 1.0) * 100,
            linestyle=":",
            color=colour(str(variant), palette),
            label=f"{variant} answers/s (% of normal)",
        )
    ax.set_xlabel("seconds into the outage run")
    ax.set_ylabel("%")
    ax.set_ylim(-5, 205)
    ax.grid(True, alpha=0.3)
    _legend_below(ax, columns=2)
    return True


def outage_summary_text(stats: list[OutageStats]) -> str:
    """One line per variant for captions and evidence."""
    parts = []
    for stat in stats:
        success = "-" if stat.success_rate is None else f"{stat.success_rate:.0%}"
        slowest = "" if stat.slowest_us is None else f", slowest answer {duration(stat.slowest_us)}"
        parts.append(
            f"{stat.variant}: {success} OK, "
            + (
                "normal throughput unknown"
                if stat.goodput is None
                else f"{stat.goodput:.0%} of normal throughput"
            )
            + slowest
        )
    return "; ".join(parts)
