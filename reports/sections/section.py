"""What every report section is: the part of the page one experiment (or the load phases)
owns, its figures and the values its rows put on the page.

A section names the tables it reads (results_format.tables), so that a table renamed in
the results format is caught by a test, not shown as "not measured" on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from reports.load import RunData


@dataclass(frozen=True)
class FigureSpec:
    id: str
    title: str
    caption: str  # what to read from it, in one line
    draw: Callable[[RunData, Axes], bool]
    tall: bool = False  # one bar per variant: grows with the number of variants


def no_rows(run: RunData) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Section:
    """One experiment's part of the report.

    `rows` gives the values the page template shows for it (its tables' rows, flags);
    `shown_where` names a table without which its figures are left off the page rather
    than listed as not measured (the cloud experiments, which only one profile runs)."""

    name: str
    tables: tuple[str, ...]
    figure_specs: tuple[FigureSpec, ...] = ()
    rows: Callable[[RunData], dict[str, Any]] = no_rows
    shown_where: str | None = None

    def figures(self, run: RunData) -> list[FigureSpec]:
        """The figures this run's page draws for the section."""
        if self.shown_where is not None and table(run, self.shown_where).empty:
            return []
        return list(self.figure_specs)


def table(run: RunData, name: str) -> pd.DataFrame:
    """One of the run's tables by its results-format name (RunData holds one per table)."""
    frame: pd.DataFrame = getattr(run, name)
    return frame


def rows_by_variant(frame: pd.DataFrame, column: str) -> dict[str, dict[str, Any]]:
    """A table's rows by variant; none where the table lacks `column`."""
    if frame.empty or column not in frame:
        return {}
    return {str(row["variant"]): dict(row) for _, row in frame.iterrows()}
