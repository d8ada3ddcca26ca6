"""The scale_out experiment: K instances behind a router without sticky routing."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from reports.figures import Palette, colour, not_measured
from reports.sections.section import FigureSpec, Section


def scale_out_failures(scale_out: pd.DataFrame, ax: Axes, palette: Palette | None = None) -> bool:
    """Share of requests that failed with K instances and no sticky routing; the
    diamond is what is expected when each instance keeps its own sessions ((K-1)/K)."""
    if scale_out.empty:
        return not_measured(ax)
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


SECTION = Section(
    "scale_out",
    tables=("scale_out",),
    figure_specs=(
        FigureSpec(
            "scale-out",
            "Two instances with no sticky routing",
            "The diamond is what state kept in each instance would give ((K-1)/K failed).",
            lambda run, ax: scale_out_failures(run.scale_out, ax, run.palette),
        ),
    ),
)
