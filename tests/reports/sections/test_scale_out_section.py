"""The scale_out section's figure."""

from __future__ import annotations

import pandas as pd

from reports.sections.scale_out_section import scale_out_failures
from tests.reports.drawing import PNG, bar_heights, draw


def test_scale_out_failure_rates_in_percent_with_the_expectation() -> None:
    scale_out = pd.DataFrame(
        {"variant": ["session-memory", "session-redis"], "instances": [2, 2],
         "failure_rate": [0.48, 0.0], "expected_if_state_is_local": [0.5, 0.0]}
    )  # fmt: skip
    drew, ax, _ = draw(scale_out_failures, scale_out)
    assert drew
    assert bar_heights(ax) == [48.0, 0.0]
    assert "2 instances" in ax.get_ylabel()
    (expected,) = ax.collections
    assert [round(float(y), 3) for _, y in expected.get_offsets()] == [50.0, 0.0]


def test_nothing_to_draw_says_so() -> None:
    drew, ax, image = draw(scale_out_failures, pd.DataFrame())
    assert drew is False
    assert [t.get_text() for t in ax.texts] == ["not measured in this run"]
    assert image.startswith(PNG)
