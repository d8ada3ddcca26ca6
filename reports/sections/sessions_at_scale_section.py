"""The sessions_at_scale experiment: N live sessions in each store, the bytes each holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from reports.figures import not_measured, plain_number
from reports.sections.section import FigureSpec, Section


def session_memory(scale: pd.DataFrame, ax: Axes) -> bool:
    """Bytes held per live session (or refresh family, deny-list entry) in each store at
    the largest N measured, one bar each; a store that keeps nothing is a bar of 0 B
    written as such. The same bytes for a million sessions are printed beside each bar,
    marked as extrapolated: only N up to the largest measured was."""
    if scale.empty or "bytes_per_session" not in scale:
        return not_measured(ax)
    rows = scale.dropna(subset=["bytes_per_session"])
    if rows.empty:
        return not_measured(ax)
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
    ax.set_xlabel(f"bytes per live session, measured with {plain_number(largest)} of them")
    ax.grid(True, axis="x", alpha=0.3)
    return True


SECTION = Section(
    "sessions_at_scale",
    tables=("sessions_at_scale",),
    figure_specs=(
        FigureSpec(
            "sessions",
            "What a store keeps per live session",
            "Measured at the largest N of the run; a million is that times 10^6, not measured.",
            lambda run, ax: session_memory(run.sessions_at_scale, ax),
        ),
    ),
)
