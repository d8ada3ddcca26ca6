"""The instructions experiment: instructions per GET /me under callgrind, each variant
against its plain twin.

Its figures are a column of the overhead experiment's table (overhead_section), where
the same comparison is made in CPU time."""

from __future__ import annotations

from typing import Any

from reports import fmt
from reports.load import RunData
from reports.metrics import number
from reports.sections.section import Section, rows_by_variant
from results_format.limits import OVERHEAD_LIMIT


def cells(run: RunData) -> dict[str, dict[str, Any]]:
    """Each counted variant's cells in the overhead table, by variant."""
    found = {}
    for variant, row in rows_by_variant(run.instructions, "instruction_ratio").items():
        ratio = number(row.get("instruction_ratio"))
        found[variant] = {
            "instructions": "-" if ratio is None else f"{fmt.TIMES}{ratio:.2f}",
            "instruction_counts": ""
            if ratio is None
            else f"{fmt.count(row.get('plain_instructions'))} → "
            f"{fmt.count(row.get('authlab_instructions'))}",
            "instructions_flagged": ratio is not None and ratio > OVERHEAD_LIMIT,
        }
    return found


def _rows(run: RunData) -> dict[str, Any]:
    return {"overhead_instructions": not run.instructions.empty}


SECTION = Section("instructions", tables=("instructions",), rows=_rows)
