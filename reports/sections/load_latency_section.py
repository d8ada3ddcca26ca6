"""The load phases' latency: percentiles at a fixed arrival rate, and a login against one
authenticated request."""

from __future__ import annotations

from reports import figures
from reports.load import latency_curves
from reports.metrics import login_costs
from reports.sections.section import FigureSpec, Section

SECTION = Section(
    "load_latency",
    tables=("latency", "summary", "phases"),
    figure_specs=(
        FigureSpec(
            "latency",
            "Latency percentiles at a fixed arrival rate",
            "Timed from when each request was due, so stalls show in the tail.",
            lambda run, ax: figures.latency_percentiles(latency_curves(run), ax, run.palette),
            tall=True,
        ),
        FigureSpec(
            "login",
            "A login against an authenticated request",
            "Log scale: the password hash at login against one checked request.",
            lambda run, ax: figures.login_vs_request(login_costs(run), ax),
        ),
    ),
)
