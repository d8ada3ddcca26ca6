"""The load phases' cost: CPU per GET /me above the baseline (me-rate) and each variant's
maximum throughput (me-closed)."""

from __future__ import annotations

from reports import costs, figures
from reports.sections.section import FigureSpec, Section

SECTION = Section(
    "load_cost",
    tables=("summary", "phases"),
    figure_specs=(
        FigureSpec(
            "cpu",
            "CPU per authenticated request: the credential check above the baseline",
            "Grey: a request with no check (the baseline); red: what checking the credential "
            "adds, hatched where Redis spends it.",
            lambda run, ax: figures.cpu_per_request(costs.cpu_split(run), ax),
            tall=True,
        ),
        FigureSpec(
            "throughput",
            "Maximum throughput, GET /me alone",
            "Whiskers span the repetitions; a hatched bar: the load generator, not the server, "
            "was the limit.",
            lambda run, ax: figures.max_throughput(run.summary, ax, run.palette),
            tall=True,
        ),
    ),
)
