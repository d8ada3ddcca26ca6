"""The overhead experiment: each variant beside its plain twin server, in CPU per GET /me
(with the instructions experiment's count beside it where the run has one)."""

from __future__ import annotations

from typing import Any

from reports import fmt
from reports.claim import experiment
from reports.load import RunData
from reports.metrics import number
from reports.sections import instructions_section
from reports.sections.section import Section, rows_by_variant
from results_format.limits import OVERHEAD_LIMIT

# The instructions cells of a variant the instructions experiment did not count.
_NOT_COUNTED = {"instructions": "-", "instruction_counts": "", "instructions_flagged": False}


def overhead_rows(run: RunData) -> list[dict[str, Any]]:
    """overhead.csv (CPU) and instructions.csv (callgrind): each variant beside its plain
    twin server, each ratio flagged above the limit."""
    cpu = rows_by_variant(run.overhead, "ratio")
    counted = instructions_section.cells(run)
    rows = []
    for variant in dict.fromkeys([*cpu, *counted]):
        row = cpu.get(variant, {})
        ratio = number(row.get("ratio"))
        low, high = number(row.get("ratio_min")), number(row.get("ratio_max"))
        rows.append(
            {
                "variant": variant,
                "plain": fmt.us(row.get("plain_us")),
                "authlab": fmt.us(row.get("authlab_us")),
                "ratio": "-" if ratio is None else f"{fmt.TIMES}{ratio:.2f}",
                "spread": ""
                if low is None or high is None
                else f"{fmt.TIMES}{low:.2f}-{fmt.TIMES}{high:.2f}",
                "repetitions": fmt.whole(row.get("repetitions")),
                "flagged": ratio is not None and ratio > OVERHEAD_LIMIT,
                **counted.get(variant, _NOT_COUNTED),
            }
        )
    return rows


def _rows(run: RunData) -> dict[str, Any]:
    return {
        "overhead": overhead_rows(run),
        "overhead_shared_store": bool(
            "shared_store" in run.overhead and run.overhead["shared_store"].fillna(False).any()
        ),
        "overhead_limit": OVERHEAD_LIMIT,
        "overhead_command": experiment("overhead"),
    }


SECTION = Section("overhead", tables=("overhead", "instructions"), rows=_rows)
