"""The load phases' figures, and what every figure shares (a canvas, colours, legends).

An experiment's own figures are in its report section (reports.sections.<experiment>).

No pyplot: callers make a matplotlib.figure.Figure on an Agg canvas
(new_figure) and pass its axes, so that nothing global is touched and
figures can be drawn from threads, tests and notebooks alike. Each function
returns False (and says so on the axes) when its data is empty, True when it
drew something."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from reports.fmt import TIMES
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


def not_measured(ax: Axes, what: str = "not measured in this run") -> bool:
    """Say so on the axes; False: nothing was drawn."""
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes, color="#666666")
    ax.set_axis_off()
    return False


def legend_below(ax: Axes, columns: int = 3) -> None:
    """A legend under the axes, where it covers no data (constrained layout makes room)."""
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=columns, fontsize="small",
        frameon=False,
    )  # fmt: skip


def _plain_log_ticks(axis: Any) -> None:
    """Log-axis labels as 2, 10, 300, 1k, 10M rather than 10^x, and no minor labels."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: plain_number(v)))
    axis.set_minor_formatter(FuncFormatter(lambda v, _: ""))


def plain_number(value: float) -> str:
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
        return not_measured(ax)
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
    legend_below(ax, columns=4)
    return True


# --- throughput and CPU ---------------------------------------------------------------


def max_throughput(summary: pd.DataFrame, ax: Axes, palette: Palette | None = None) -> bool:
    """Peak requests/s of the step ramp: bar = median, whisker = min..max over repetitions."""
    if summary.empty or "max_throughput_rps" not in summary:
        return not_measured(ax)
    rows = summary.dropna(subset=["max_throughput_rps"])
    if rows.empty:
        return not_measured(ax)
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
        return not_measured(ax)
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
    legend_below(ax, columns=2)
    ax.grid(True, axis="x", alpha=0.3)
    return True


def login_vs_request(costs: pd.DataFrame, ax: Axes) -> bool:
    """Server CPU of one login (argon2id at OWASP's cost) against one authenticated request."""
    if costs.empty or costs["login_us"].isna().all():
        return not_measured(ax)
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


# --- wire -----------------------------------------------------------------------------


def bytes_per_request(wire: pd.DataFrame, ax: Axes) -> bool:
    """Bytes on the socket, headers included: each request of GET /me (what every
    authenticated request carries) and the login's answer (where the credential is issued)."""
    if wire.empty:
        return not_measured(ax)
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
    legend_below(ax)
    ax.grid(True, axis="x", alpha=0.3)
    return True
