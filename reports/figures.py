"""The report's figures: one function per figure, each drawing its data on a given Axes.

No pyplot: callers make a matplotlib.figure.Figure on an Agg canvas
(new_figure) and pass its axes, so that nothing global is touched and
figures can be drawn from threads, tests and notebooks alike. Each function
returns False (and says so on the axes) when its data is empty, True when it
drew something."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from reports.fmt import TIMES, duration
from reports.metrics import OutageStats, complete_seconds, normal_rate
from results_format import palette as variant_palette

# One colour per variant, the same in every figure: the run's own (RunData.palette, from
# its manifest); a name it does not colour, the results format's.
Palette = Mapping[str, str]


def colour(variant: str, palette: Palette | None = None) -> str:
    if palette and variant in palette:
        return palette[variant]
    return variant_palette.colour_of(variant)


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


# --- latency ------------------------------------------------------------------------


def latency_percentiles(curves: pd.DataFrame, ax: Axes, palette: Palette | None = None) -> bool:
    """Latency against percentile, both on log scales, one line per variant.

    The x axis is 1 / (1 - p): 50% at 2, 90% at 10, 99% at 100, ... so that
    every "nine" gets the same width and the tail is as visible as the median.
    """
    if curves.empty:
        return _nothing(ax)
    right = 2.0
    # Ten variants in ten colours are hard to tell apart: each also gets its own line
    # style and marker, and the legend goes below the axes, off the data.
    styles = iter([(line, marker) for marker in "osD^v" for line in ("-", "--")])
    for variant, rows in curves.groupby("variant", sort=False):
        x = 1.0 / (1.0 - rows["percentile"].clip(upper=99.999) / 100.0)
        right = max(right, float(x.max()))
        line, marker = next(styles, ("-", "o"))
        ax.plot(
            x, rows["latency_us"] / 1000.0, label=str(variant), color=colour(str(variant), palette),
            linestyle=line, marker=marker, markersize=3,
        )  # fmt: skip
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
    _legend_below(ax, columns=4)
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
    """Server + store CPU µs per authenticated request, split where the no-auth baseline's
    bar ends: the grey part is what any request costs, the red part what checking the
    credential adds (its Redis share hatched). Both parts are measured (no primitive timed
    elsewhere is drawn into the bar), so no part can be longer than its bar."""
    if split.empty:
        return _nothing(ax)
    names = [str(v) for v in split["variant"]]
    y = np.arange(len(names))
    floor = split["floor_us"].astype(float).to_numpy()
    check = split["check_us"].astype(float).fillna(0.0).to_numpy()
    store = split["store_us"].astype(float).fillna(0.0).to_numpy()
    in_server = np.maximum(check - store, 0.0)
    in_store = check - in_server
    ax.barh(y, floor, color="#c7c7c7", label="what a request costs with no check (baseline)")
    ax.barh(y, in_server, left=floor, color="#d62728", label="the credential check, server")
    ax.barh(
        y, in_store, left=floor + in_server, color="white", edgecolor="#d62728", hatch="///",
        label="the credential check, Redis", linewidth=[1.0 if v > 0 else 0.0 for v in in_store],
    )  # fmt: skip
    for position, total, added in zip(y, floor + check, check, strict=True):
        if added > 0:
            ax.annotate(
                f" +{added:,.0f} µs", (total, position), va="center", fontsize="small"
            )  # fmt: skip
    ax.set_yticks(y, names, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(right=float(np.nanmax(floor + check)) * 1.18)
    ax.set_xlabel("server + store CPU µs per authenticated GET /me")
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
    ax.set_xticks(
        x, names, fontsize="small", rotation=30 if len(names) > 4 else 0,
        ha="right" if len(names) > 4 else "center",
    )  # fmt: skip
    ax.set_ylabel("server CPU (ms, log scale)")
    # Below the slanted variant names, not over them.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3 if len(names) > 4 else -0.12),
              ncol=2, fontsize="small", frameon=False)  # fmt: skip
    ax.grid(True, axis="y", alpha=0.3)
    return True


# --- state: sessions at scale ---------------------------------------------------------


def session_memory(scale: pd.DataFrame, ax: Axes) -> bool:
    """Bytes held per live session (or refresh family, deny-list entry) in each store at
    the largest N measured, one bar each; a store that keeps nothing is a bar of 0 B
    written as such. The same bytes for a million sessions are printed beside each bar,
    marked as extrapolated: only N up to the largest measured was."""
    if scale.empty or "bytes_per_session" not in scale:
        return _nothing(ax)
    rows = scale.dropna(subset=["bytes_per_session"])
    if rows.empty:
        return _nothing(ax)
    largest = float(rows["sessions"].max())
    rows = rows[rows["sessions"] == largest]
    names = [str(v) for v in rows["store"]]
    values = rows["bytes_per_session"].astype(float).to_numpy()
    y = np.arange(len(names))
    ax.barh(y, values, color=["#9ecae1" if str(n).startswith("token") else "#1f77b4"
                              for n in names])  # fmt: skip
    for position, value in zip(y, values, strict=True):
        million = value * 1e6 / 2**20
        text = " 0 B: nothing kept" if value <= 0 else (
            f" {value:,.0f} B; 1M: {million:,.0f} MiB (extrapolated)"
        )  # fmt: skip
        ax.annotate(text, (max(value, 0.0), position), va="center", fontsize="small")
    ax.set_yticks(y, names, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(0, float(values.max()) * 1.9 if values.max() > 0 else 1.0)
    ax.set_xlabel(f"bytes per live session, measured with {_plain(largest)} of them")
    ax.grid(True, axis="x", alpha=0.3)
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


def down_interval(rows: pd.DataFrame) -> tuple[float, float] | None:
    """When this variant's store was down, in seconds of its run: the share of the first
    second it touched ends that second, the share of the last one starts it."""
    touched = rows[rows["store_down"] > 0].sort_values("second")
    if touched.empty:
        return None
    first, last = touched.iloc[0], touched.iloc[-1]
    start = float(first["second"]) + 1.0 - float(first["store_down"])
    end = float(last["second"]) + float(last["store_down"])
    if len(touched) == 1:
        start, end = float(first["second"]), float(first["second"]) + float(first["store_down"])
    return start, end


def outage_timeline(outage: pd.DataFrame, ax: Axes, palette: Palette | None = None) -> bool:
    """One panel per variant (a line under another hides nothing here): OK answers per
    second against its normal rate (bars), failed answers (red), and the grey span when
    its own store was down. Nothing is clipped: the burst of queued requests completing
    after the outage shows at its height."""
    if outage.empty:
        return _nothing(ax)
    groups = [(str(v), complete_seconds(g)) for v, g in outage.groupby("variant", sort=False)]
    figure = ax.get_figure()
    panels: list[Axes] = [ax]
    if len(groups) > 1 and isinstance(figure, Figure):
        ax.remove()
        panels = list(np.atleast_1d(figure.subplots(len(groups), 1, sharex=True, sharey=True)))
    top = 100.0
    for panel, (variant, rows) in zip(panels, groups, strict=False):
        normal = normal_rate(rows)
        if math.isnan(normal):
            normal = float((rows["ok"] + rows["failed"]).max())
        scale = 100.0 / max(normal, 1.0)
        ok = rows["ok"].to_numpy(dtype=float) * scale
        failed = rows["failed"].to_numpy(dtype=float) * scale
        top = max(top, float(np.nanmax(ok + failed)))
        span = down_interval(rows)
        if span is not None:
            panel.axvspan(*span, color="#e4e4e4", label="store down")
        # One colour for OK in every panel (the panel names the variant): a variant's own
        # colour could be the red of "failed".
        panel.bar(rows["second"], ok, width=0.9, align="edge", label="OK", color="#4c72b0")
        panel.bar(rows["second"], failed, width=0.9, align="edge", bottom=ok, color="#d62728",
                  label="failed")  # fmt: skip
        panel.axhline(100.0, color="black", linewidth=0.8, linestyle=":")
        panel.set_ylabel(variant, fontsize="small", rotation=0, ha="right", va="center")
        panel.grid(True, axis="y", alpha=0.3)
    for panel in panels:
        panel.set_ylim(0, top * 1.05)
    panels[-1].set_xlabel("seconds into the outage run; answers per second, % of normal")
    handles, labels = panels[0].get_legend_handles_labels()
    panels[0].legend(handles, labels, fontsize="x-small", ncol=3, loc="upper right")
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
