"""The overhead section's table: CPU beside the plain twin, instructions beside it where
the instructions experiment counted them, each ratio flagged above the limit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reports.load import RunData
from reports.sections.overhead_section import SECTION, overhead_rows
from results_format.limits import OVERHEAD_LIMIT

ABOVE = OVERHEAD_LIMIT + 0.5


def _run(overhead: pd.DataFrame, instructions: pd.DataFrame) -> RunData:
    return RunData(Path("."), overhead=overhead, instructions=instructions)


def test_a_variant_only_counted_under_callgrind_still_has_its_row() -> None:
    overhead = pd.DataFrame(
        {"variant": ["session-redis"], "plain_us": [40.0], "authlab_us": [44.0], "ratio": [1.1]}
    )
    instructions = pd.DataFrame(
        {
            "variant": ["session-redis", "token-hs256"],
            "instruction_ratio": [1.05, ABOVE],
            "plain_instructions": [100_000, 120_000],
            "authlab_instructions": [105_000, 300_000],
        }
    )
    rows = {row["variant"]: row for row in overhead_rows(_run(overhead, instructions))}
    assert list(rows) == ["session-redis", "token-hs256"]
    assert not rows["session-redis"]["flagged"]
    assert not rows["session-redis"]["instructions_flagged"]
    token = rows["token-hs256"]
    assert (token["ratio"], token["flagged"]) == ("-", False)
    assert token["instructions_flagged"]


def test_without_callgrind_the_instructions_cells_are_empty_and_never_flagged() -> None:
    overhead = pd.DataFrame({"variant": ["token-hs256"], "ratio": [ABOVE]})
    run = _run(overhead, pd.DataFrame())
    (row,) = overhead_rows(run)
    assert row["flagged"]
    assert (row["instructions"], row["instructions_flagged"]) == ("-", False)
    assert SECTION.rows(run)["overhead"] == [row]
