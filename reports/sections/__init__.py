"""The report's sections: each experiment's part of the page (its figures, its rows) in
one module, `<experiment>_section.py`, exposing `SECTION` (reports.sections.section).

The page shows the sections in the order of SECTIONS, the load phases' own among them.
A new experiment's report part is one new module and its line here.
"""

from __future__ import annotations

from typing import Any

from reports.load import RunData
from reports.sections import (
    cloud_balancer_section,
    cloud_failover_section,
    cloud_sticky_kill_section,
    cloud_store_down_section,
    cloud_store_restart_section,
    instructions_section,
    load_cost_section,
    load_latency_section,
    load_wire_section,
    outage_section,
    overhead_section,
    primitives_section,
    resident_sessions_section,
    scale_out_section,
    sessions_at_scale_section,
)
from reports.sections.section import FigureSpec, Section

SECTIONS: tuple[Section, ...] = (
    load_cost_section.SECTION,
    scale_out_section.SECTION,
    outage_section.SECTION,
    load_latency_section.SECTION,
    sessions_at_scale_section.SECTION,
    load_wire_section.SECTION,
    overhead_section.SECTION,
    instructions_section.SECTION,
    primitives_section.SECTION,
    resident_sessions_section.SECTION,
    cloud_balancer_section.SECTION,
    cloud_sticky_kill_section.SECTION,
    cloud_failover_section.SECTION,
    cloud_store_down_section.SECTION,
    cloud_store_restart_section.SECTION,
)

# The figures every page draws (or lists as not measured); the cloud experiments' are
# added only where a run has them.
FIGURES: tuple[FigureSpec, ...] = tuple(
    spec for section in SECTIONS if section.shown_where is None for spec in section.figure_specs
)


def figures_of(run: RunData) -> list[FigureSpec]:
    """The figures a run's report draws, in the page's order."""
    return [spec for section in SECTIONS for spec in section.figures(run)]


def page_rows(run: RunData) -> dict[str, Any]:
    """Every section's values for the page template, under the names the template reads."""
    return {name: value for section in SECTIONS for name, value in section.rows(run).items()}


__all__ = ["FIGURES", "SECTIONS", "FigureSpec", "Section", "figures_of", "page_rows"]
