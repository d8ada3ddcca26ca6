"""The outage section's figure."""

from __future__ import annotations

import pandas as pd
import pytest

from reports import figures
from reports.sections.outage_section import down_interval, outage_timeline
from tests.reports.drawing import PNG, draw


def test_outage_one_panel_per_variant_its_own_down_span_nothing_clipped() -> None:
    outage = pd.DataFrame(
        {
            "variant": ["s"] * 5 + ["t"] * 5,
            "second": [0, 1, 2, 3, 4] * 2,
            "ok": [10, 80, 40, 0, 200, 10, 80, 80, 80, 80],
            "failed": [0, 0, 0, 8, 0] * 2,
            "store_down": [0.0, 0.0, 0.25, 1.0, 0.5, 0.0, 0.0, 0.0, 1.0, 0.0],
        }
    )
    figure, ax = figures.new_figure()
    assert outage_timeline(outage, ax)
    first, second = figure.axes
    # Down from 2.75 s (the last quarter of second 2) to 4.5 s, for s alone.
    assert first.patches[0].get_x() == pytest.approx(2.75)
    assert first.patches[0].get_width() == pytest.approx(1.75)
    assert second.patches[0].get_x() == pytest.approx(3.0)
    # OK answers against the normal 80/s: the burst after the outage (250%) is drawn whole.
    oks = [round(p.get_height(), 3) for p in first.patches[1:6]]
    assert oks == [12.5, 100.0, 50.0, 0.0, 250.0]
    assert first.get_ylim()[1] >= 250.0
    assert down_interval(outage[outage["variant"] == "s"]) == (2.75, 4.5)


def test_nothing_to_draw_says_so() -> None:
    drew, ax, image = draw(outage_timeline, pd.DataFrame())
    assert drew is False
    assert [t.get_text() for t in ax.texts] == ["not measured in this run"]
    assert image.startswith(PNG)
