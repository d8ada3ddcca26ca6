"""The outage experiment: each variant's store frozen mid-run, answers second by second."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reports.figures import Palette, not_measured
from reports.fmt import duration
from reports.metrics import OutageStats, complete_seconds, normal_rate
from reports.sections.section import FigureSpec, Section


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
        return not_measured(ax)
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


SECTION = Section(
    "outage",
    tables=("outage",),
    figure_specs=(
        FigureSpec(
            "outage",
            "The store frozen: answers per second, % of normal",
            "Grey: when that variant's store was down; the dotted line is its normal rate; the "
            "burst after is the queued requests completing.",
            lambda run, ax: outage_timeline(run.outage, ax, run.palette),
            tall=True,
        ),
    ),
)
