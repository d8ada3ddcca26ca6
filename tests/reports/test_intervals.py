"""The two-level bootstrap against cases whose answer is known."""

from __future__ import annotations

import math
import random

import pytest

from reports.intervals import Interval, bootstrap, rate, repetitions_to_decide


def test_rate_is_a_ratio_of_sums() -> None:
    assert rate([(1.0, 10.0), (3.0, 10.0)]) == pytest.approx(0.2)
    assert rate([]) is None


def test_one_repetition_of_many_batches_matches_the_normal_interval_of_a_mean() -> None:
    # 400 batches of one request each, costs ~ N(100, 10): the mean's 95% interval is
    # about 100 +- 1.96 * 10 / sqrt(400) = +- 0.98.
    generator = random.Random(1)
    values = [generator.gauss(100.0, 10.0) for _ in range(400)]
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    half = 1.96 * sd / math.sqrt(len(values))
    found = bootstrap({"a": {0: [(v, 1.0) for v in values]}}, lambda r: r["a"])
    assert found is not None
    assert found.low == pytest.approx(mean - half, abs=0.2 * half)
    assert found.high == pytest.approx(mean + half, abs=0.2 * half)
    assert (found.repetitions, found.batches) == (1, 400)


def test_identical_repetitions_give_no_width() -> None:
    same = [(2.0, 1.0), (2.0, 1.0)]
    found = bootstrap(
        {"a": {0: same, 1: same}, "b": {0: [(1.0, 1.0)] * 2, 1: [(1.0, 1.0)] * 2}},
        lambda r: r["a"] / r["b"],
    )
    assert found is not None and found.low == found.high == pytest.approx(2.0)


def test_repetitions_are_drawn_together_for_every_variant() -> None:
    # a and b move together from one repetition to the next (the machine's drift): their
    # ratio is 2 in every repetition, so a shared draw leaves it exactly 2.
    a = {k: [(2.0 * level, 1.0)] * 3 for k, level in enumerate((1.0, 1.5, 3.0))}
    b = {k: [(level, 1.0)] * 3 for k, level in enumerate((1.0, 1.5, 3.0))}
    found = bootstrap({"a": a, "b": b}, lambda r: r["a"] / r["b"])
    assert found is not None and found.low == pytest.approx(2.0) == found.high


def test_no_interval_without_a_shared_repetition_or_with_too_few_batches() -> None:
    assert bootstrap({"a": {0: [(1.0, 1.0)] * 3}, "b": {1: [(1.0, 1.0)] * 3}}, len) is None
    assert bootstrap({"a": {0: [(1.0, 1.0)]}}, lambda r: r["a"]) is None


def test_repetitions_to_decide_shrink_the_interval_as_one_over_sqrt_n() -> None:
    # Figure 1.55, threshold 1.5, interval down to 1.40 from 3 repetitions: the lower half
    # (0.15) must shrink to the margin (0.05): 3 * (0.15 / 0.05)^2 = 27.
    interval = Interval(1.40, 1.70, 3, 12)
    assert repetitions_to_decide(1.55, 1.5, interval) == 27
    assert repetitions_to_decide(1.5, 1.5, interval) is None
    assert repetitions_to_decide(1.45, 1.5, Interval(1.30, 1.60, 3, 12)) == 3 * 9
    assert interval.crosses(1.5) and not interval.crosses(1.8)
