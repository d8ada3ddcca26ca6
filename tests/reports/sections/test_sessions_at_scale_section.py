"""The sessions_at_scale section's figure."""

from __future__ import annotations

import pandas as pd

from reports.sections.sessions_at_scale_section import session_memory
from tests.reports.drawing import PNG, bar_widths, draw


def test_session_memory_bars_per_session_with_the_extrapolation_said() -> None:
    scale = pd.DataFrame(
        {
            "store": ["redis", "redis", "token access (no deny list)",
                      "token access (no deny list)"],
            "sessions": [1000, 10000, 1000, 10000],
            "bytes_total": [880_000, 5_500_000, 0, 0],
            "bytes_per_session": [880.0, 550.0, 0.0, 0.0],
        }
    )  # fmt: skip
    drew, ax, _ = draw(session_memory, scale)
    assert drew
    # The largest N measured, per session; the zero is a zero, written as such.
    assert bar_widths(ax) == [550.0, 0.0]
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == " 550 B; 1M: 525 MiB (extrapolated)"
    assert texts[1] == " 0 B: nothing kept"
    assert "10k" in ax.get_xlabel()


def test_nothing_to_draw_says_so() -> None:
    drew, ax, image = draw(session_memory, pd.DataFrame())
    assert drew is False
    assert [t.get_text() for t in ax.texts] == ["not measured in this run"]
    assert image.startswith(PNG)
