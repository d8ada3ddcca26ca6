"""Numbers as the page prints them: each unit's rounding, against the CSV's value."""

from __future__ import annotations

import pytest

from reports import fmt
from reports.metrics import OutageStats
from reports.sections.outage_section import outage_summary_text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (16_667, "16.7k"),  # was "1.67k": divided by 10^4 and labelled k
        (10_000, "10k"),
        (9_999, "9,999"),
        (250_000, "250k"),
        (1_670_000, "1.67M"),
        (2_500_000_000, "2.5G"),
        (7.5, "7.5"),
    ],
)
def test_count_divides_by_the_power_its_suffix_names(value: float, shown: str) -> None:
    assert fmt.count(value) == shown


def test_count_round_trips_within_its_three_digits() -> None:
    for value in (12_345, 54_321, 99_999, 123_456, 987_654):
        text = fmt.count(value)
        assert text.endswith("k")
        assert float(text[:-1]) * 1000 == pytest.approx(value, rel=0.005)


@pytest.mark.parametrize(
    ("us", "shown"),
    [(33_200, "33 ms"), (2_840_600, "2.8 s"), (950, "950 µs"), (None, "-")],
)
def test_duration_in_the_unit_a_reader_thinks_in(us: float | None, shown: str) -> None:
    assert fmt.duration(us) == shown


def test_outage_caption_prints_the_slowest_answer_as_measured() -> None:
    stats = [
        OutageStats("token-hs256", 2, 1.0, 1.0, 0, slowest_us=33_200.0),
        OutageStats("session-redis", 2, 0.0, 0.0, 0, slowest_us=2_840_600.0),
    ]
    text = outage_summary_text(stats)
    # Was "slowest answer 0.0 s" for a 33 ms answer.
    assert "token-hs256: 100% OK, 100% of normal throughput, slowest answer 33 ms" in text
    assert "session-redis: 0% OK, 0% of normal throughput, slowest answer 2.8 s" in text
