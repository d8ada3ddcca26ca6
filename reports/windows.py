"""Each load phase's length, offered rate and sample count: what its figures rest on.

One row per phase name (medians over variants and repetitions), for the page: the run
time asked of the generator, the steady window the CPU and request counts come from,
the offered rate of an open-model phase, the requests counted in the window and the
latency samples behind the percentiles.
"""

from __future__ import annotations

from typing import Any

from reports import fmt
from reports.load import RunData
from reports.metrics import number


def _median(values: list[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _column(rows: Any, name: str) -> list[float]:
    if name not in rows:
        return []
    return [v for v in (number(x) for x in rows[name]) if v is not None]


def phase_rows(run: RunData) -> list[dict[str, str]]:
    phases = run.phases
    if phases.empty or "phase" not in phases:
        return []
    found = []
    for name, rows in phases.groupby("phase", sort=False):
        planned = _median(_column(rows, "planned_s"))
        window = _median(_column(rows, "window_s"))
        offered = _median(_column(rows, "offered_rps"))
        counted = _median(_column(rows, "window_requests"))
        samples = _median(_column(rows, "latency_samples"))
        steady = "cpu_window" in rows and bool((rows["cpu_window"] == "steady").any())
        found.append(
            {
                "phase": str(name),
                "runs": fmt.count(len(rows)),
                "length": "shaped" if planned is None else f"{planned:.0f} s",
                "window": f"{window:.0f} s steady" if steady and window else "whole phase",
                "rate": "closed loop" if offered is None else f"{offered:,.0f} req/s offered",
                "requests": "-" if counted is None else fmt.count(round(counted)),
                "samples": "-" if samples is None else fmt.count(round(samples)),
            }
        )
    return found
