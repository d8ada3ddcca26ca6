"""Drawing one figure function on a fresh canvas, and reading its bars back (for the
figure tests of reports.figures and of each report section)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.axes import Axes

from reports import figures

PNG = b"\x89PNG\r\n\x1a\n"


def draw(function: Callable[..., bool], *data: Any) -> tuple[bool, Axes, bytes]:
    figure, ax = figures.new_figure()
    drew = function(*data, ax)
    return drew, ax, figures.png(figure, dpi=40)


def bar_widths(ax: Axes) -> list[float]:
    return [round(float(p.get_width()), 3) for p in ax.patches]


def bar_heights(ax: Axes) -> list[float]:
    return [round(float(p.get_height()), 3) for p in ax.patches]
