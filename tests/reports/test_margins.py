"""A verdict's deciding figure: threshold, margin and fragility from the repetitions."""

from __future__ import annotations

import pytest

from reports.fmt import TIMES
from reports.margins import Decision, band, ratios, relative_spread


def test_margin_is_the_distance_to_the_threshold_and_its_sign() -> None:
    decision = Decision("a / b", 1.2, 1.1, "'modestly higher' from here")
    assert decision.margin == pytest.approx(0.1)
    assert decision.above
    assert decision.text().startswith(
        f"a / b: {TIMES}1.20; threshold {TIMES}1.10 ('modestly higher' from here)"
    )
    assert "margin +0.10" in decision.text()
    assert "margin -0.10" in Decision("a / b", 1.0, 1.1, "x").text()


def test_fragile_only_when_the_repetitions_straddle_the_threshold() -> None:
    assert Decision("r", 1.2, 1.1, "m", repetitions=(1.05, 1.2, 1.25)).fragile
    assert not Decision("r", 1.2, 1.1, "m", repetitions=(1.12, 1.2, 1.25)).fragile
    assert not Decision("r", 1.0, 1.1, "m", repetitions=(0.9, 1.0, 1.05)).fragile
    # The figure on one side, every repetition on the other (the smoke run's credential
    # checks: x1.47 from the medians, x1.64-x1.80 per repetition): fragile too.
    assert Decision("r", 1.47, 1.5, "m", repetitions=(1.64, 1.80)).fragile
    # One repetition, or none: no spread to judge by.
    assert not Decision("r", 1.2, 1.1, "m", repetitions=(1.0,)).fragile
    assert "FRAGILE" in Decision("r", 1.2, 1.1, "m", repetitions=(1.0, 1.3)).text()


def test_units_print_as_the_page_does() -> None:
    assert "threshold 90%" in Decision("share", 0.5, 0.9, "m", "%").text()
    assert "501 B" in Decision("bytes", 501.0, 0.0, "m", "B").text()


def test_band_ratios_and_spread() -> None:
    edges = ((1.1, "modestly higher"), (1.5, "heavy"))
    assert [band(v, edges, "similar") for v in (1.0, 1.1, 1.49, 1.5)] == [
        "similar", "modestly higher", "modestly higher", "heavy",
    ]  # fmt: skip
    assert ratios({0: 2.0, 1: 3.0, 2: 4.0}, {0: 1.0, 1: 1.0, 2: 0.0}) == (2.0, 3.0)  # 0: no ratio
    # Paired by repetition, not by position: a repetition only one side has is left out.
    assert ratios({0: 2.0, 2: 6.0}, {1: 1.0, 2: 3.0}) == (2.0,)
    assert relative_spread([95.0, 100.0, 105.0]) == pytest.approx(0.1)
    assert relative_spread([100.0]) is None


def test_the_band_note_says_when_this_run_is_noisier_than_the_band() -> None:
    from pathlib import Path

    import pandas as pd

    from reports.bands import spreads_text
    from reports.load import RunData

    def run(values: tuple[float, ...]) -> RunData:
        summary = pd.DataFrame([{"variant": "a", "server_cpu_us_per_request": 100.0}])
        phases = pd.DataFrame(
            [{"variant": "a", "phase": "step", "repetition": k, "server_cpu_us_per_request": v}
             for k, v in enumerate(values)]
        )  # fmt: skip
        return RunData(directory=Path("."), summary=summary, phases=phases, figure_source="older")

    calm = spreads_text(run((98.0, 100.0, 102.0)), ["a"])
    assert calm == (
        "the spreads of CPU per request over repetitions of a: 4%-4% of the median "
        "(the 'similar' band is 10%)"
    )
    noisy = spreads_text(run((90.0, 100.0, 104.0)), ["a"])
    assert noisy is not None and noisy.endswith(
        "wider than the band in this run, so a ratio near its edges is uncertain"
    )


def test_side_by_side_the_band_note_reads_the_ratios_not_the_drifting_costs() -> None:
    from pathlib import Path

    import pandas as pd

    from reports.bands import spreads_text
    from reports.load import RunData

    # Both variants' costs drift 20% together from repetition to repetition; their ratio
    # holds at x2.00-x2.02.
    base, other = (100.0, 110.0, 120.0), (200.0, 222.0, 242.0)
    summary = pd.DataFrame(
        [{"variant": v, "server_cpu_us_per_request": c} for v, c in (("b", 110.0), ("o", 222.0))]
    )
    phases = pd.DataFrame(
        [{"variant": v, "phase": "me-rate", "repetition": k, "offered_rps": 500.0,
          "cpu_window": "steady", "server_cpu_us_per_request": c}
         for v, costs in (("b", base), ("o", other)) for k, c in enumerate(costs)]
    )  # fmt: skip
    run = RunData(
        directory=Path("."),
        summary=summary,
        phases=phases,
        figure_source="get-only",
        status={"matched_load": {"offered_rps": 500.0, "side_by_side": 2}},
    )
    text = spreads_text(run, ["b", "o"])
    assert text is not None and "over b's in the same seconds (side by side)" in text
    assert ": 1%-1% of the median" in text and "wider than the band" not in text
