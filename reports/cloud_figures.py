"""The cloud topology's figures: the share of requests answered OK, second by second,
through a failure (second 0 is the moment it struck)."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from reports.figures import colour, legend_below, not_measured


def success_through_failure(seconds: pd.DataFrame, ax: Axes, what: str) -> bool:
    """One line per variant: % of the answers of each second that were OK."""
    if seconds.empty or "success_rate" not in seconds:
        return not_measured(ax)
    for variant, rows in seconds.groupby("variant", sort=False):
        rows = rows.sort_values("second")
        ax.plot(
            rows["second"] + 0.5,  # row `second` holds [second, second + 1)
            rows["success_rate"].astype(float) * 100,
            marker="o",
            markersize=3,
            color=colour(str(variant)),
            label=str(variant),
        )
    ax.axvline(0, color="black", linestyle="--", linewidth=1, label=what)
    ax.set_xlabel(f"seconds since {what}")
    ax.set_ylabel("requests OK (%)")
    ax.set_ylim(-5, 105)
    ax.grid(True, alpha=0.3)
    legend_below(ax, columns=4)
    return True
