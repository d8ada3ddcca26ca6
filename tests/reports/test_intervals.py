"""The two-level bootstrap against cases whose answer is known."""

from __future__ import annotations

import math
import random

import pytest

from reports import intervals
from reports.intervals import (
    Interval,
    bootstrap,
    rate,
    repetitions_to_decide,
    small_sample_factor,
)


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


def test_repetitions_to_decide_follow_the_widened_interval() -> None:
    # Figure 1.55, threshold 1.5, interval down to 1.40 from 3 repetitions (widened x2.69):
    # the lower side (0.15) narrows as factor(n) / sqrt(n); at 7 repetitions
    # 0.15 * sqrt(3) / 2.69 * 1.35 / sqrt(7) = 0.049 < the margin 0.05, at 6 it is 0.053.
    interval = Interval(1.40, 1.70, 3, 12)
    assert repetitions_to_decide(1.55, 1.5, interval) == 7
    assert repetitions_to_decide(1.5, 1.5, interval) is None
    assert repetitions_to_decide(1.45, 1.5, Interval(1.30, 1.60, 3, 12)) == 7
    assert repetitions_to_decide(1.501, 1.5, interval) is None  # beyond 100
    assert interval.crosses(1.5) and not interval.crosses(1.8)


def test_the_small_sample_factor_is_students_t_over_the_normal() -> None:
    # sqrt(n/(n-1)) * t(0.975, n-1) / 1.96: t(0.975, 2) = 4.303, t(0.975, 9) = 2.262.
    assert small_sample_factor(1) == 1.0
    assert small_sample_factor(3) == pytest.approx(math.sqrt(1.5) * 4.303 / 1.96, rel=1e-3)
    assert small_sample_factor(10) == pytest.approx(math.sqrt(10 / 9) * 2.262 / 1.96, rel=1e-3)
    assert small_sample_factor(1000) == pytest.approx(1.0, abs=0.01)


def _coverage(widened: bool, monkeypatch: pytest.MonkeyPatch) -> float:
    """How often the interval from 3 repetitions of 4 batches holds the true figure (100),
    where each repetition sits at its own level (the machine's state: sd 5) and its
    batches scatter around it (sd 2), as a standard run's CPU per request does."""
    if not widened:
        monkeypatch.setattr(intervals, "small_sample_factor", lambda n, c=0.95: 1.0)
    generator, held, runs = random.Random(7), 0, 120
    for run in range(runs):
        levels = [generator.gauss(100.0, 5.0) for _ in range(3)]
        reps = {k: [(level + generator.gauss(0.0, 2.0), 1.0) for _ in range(4)]
                for k, level in enumerate(levels)}  # fmt: skip
        found = bootstrap({"a": reps}, lambda r: r["a"], resamples=200, seed=run)
        assert found is not None
        held += found.low <= 100.0 <= found.high
    monkeypatch.undo()
    return held / runs


def test_three_repetitions_cover_the_true_figure_only_once_widened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The plain percentile interval over 3 repetitions misses the truth about one run in
    # four (the flip between runs that issue 18 saw); widened, it holds at least 90%.
    assert _coverage(widened=False, monkeypatch=monkeypatch) < 0.85
    assert _coverage(widened=True, monkeypatch=monkeypatch) >= 0.9


def test_the_interval_is_widened_about_the_figure() -> None:
    reps = {k: [(level, 1.0)] * 3 for k, level in enumerate((9.0, 10.0, 11.0))}
    found = bootstrap({"a": reps}, lambda r: r["a"], resamples=500)
    assert found is not None
    # The plain interval of the mean of 9, 10, 11 lies within [9, 11]; widened x2.69 it
    # reaches beyond both, symmetric about 10 up to the resampling's own noise.
    assert found.low < 9.0 and found.high > 11.0
    assert 10.0 - found.low == pytest.approx(found.high - 10.0, rel=0.2)


def test_a_positive_figure_keeps_a_positive_interval_however_few_its_repetitions() -> None:
    # Two repetitions far apart: x9.17 wider on a linear scale would reach below zero
    # (quick's x1.19 showed -0.75 as its low end); on the log scale it stays positive.
    reps = {0: [(1.0, 1.0)] * 3, 1: [(3.0, 1.0)] * 3}
    found = bootstrap({"a": reps, "b": {0: [(1.0, 1.0)] * 3, 1: [(1.0, 1.0)] * 3}},
                      lambda r: r["a"] / r["b"], resamples=500)  # fmt: skip
    assert found is not None and 0 < found.low < 1.0 and found.high > 3.0
    # A figure that can be negative (a difference) is widened linearly, below zero if so.
    diff = bootstrap({"a": reps}, lambda r: r["a"] - 1.5, resamples=500)
    assert diff is not None and diff.low < -0.5


def test_a_share_s_wilson_interval_does_not_shrink_to_nothing_at_zero() -> None:
    none_failed = intervals.proportion(0, 311)
    assert none_failed is not None and none_failed.low == 0
    # The "rule of three" neighbourhood: about 3.84 / (n + 3.84) at 95%.
    assert none_failed.high == pytest.approx(3.84 / (311 + 3.84), rel=0.02)
    half = intervals.proportion(152, 311)
    assert half is not None and half.low < 152 / 311 < half.high
    assert (half.low, half.high) == pytest.approx((0.434, 0.543), abs=0.005)
    assert half.counted == "requests" and half.batches == 311
    assert intervals.proportion(0, 0) is None and intervals.proportion(5, 3) is None


def test_a_rate_ratio_reads_its_noise_from_the_normal_seconds() -> None:
    calm = intervals.rate_ratio(0.5, [40.0], [80.0, 80.0, 80.0, 80.0])
    noisy = intervals.rate_ratio(0.5, [40.0], [70.0, 90.0, 75.0, 85.0])
    assert calm is not None and noisy is not None
    assert calm.low < 0.5 < calm.high and noisy.low < calm.low and noisy.high > calm.high
    # Capped to a share's range, and never without the point.
    full = intervals.rate_ratio(1.0, [80.0], [80.0, 80.0, 80.0])
    assert full is not None and full.high == 1.0 and full.low < 1.0
    nothing = intervals.rate_ratio(0.0, [0.0], [80.0, 80.0, 80.0])
    assert nothing is not None and nothing.low == 0.0 and nothing.high < 0.1
    assert intervals.rate_ratio(0.5, [40.0], [80.0]) is None  # one normal second: no spread


def test_pooled_noise_gathers_the_freedom_of_every_variant() -> None:
    # Two variants at their own rates, each spread by 2 around its mean.
    noise, freedom = intervals.pooled_noise([[78.0, 82.0], [158.0, 162.0], [80.0]])
    assert freedom == 2 and noise == pytest.approx(math.sqrt(16 / 2))
    assert intervals.pooled_noise([[80.0, 80.0]]) == (intervals.COUNT_RESOLUTION, 1)
    # One variant's single normal second borrows the others' freedom.
    alone = intervals.rate_ratio(1.0, [80.0], [80.0], (1.0, 6))
    assert alone is not None and alone.low > 0.9


def test_whole_repetitions_are_drawn_so_the_interval_does_not_overcover() -> None:
    """Two variants over 5 repetitions, each repetition at the machine's shared level
    (log sd 0.08) with a variant's own deviation (0.04) and batches scattered widely about
    it (0.15). A repetition's spread already holds its batches' noise: drawing the batches
    again on top counted that noise twice, and the interval held the true ratio (1.2) in
    every run, about 40% wider than a 95% interval needs to be. Drawn as whole
    repetitions, it holds it close to 95% of the time."""
    generator, held, runs = random.Random(11), 0, 150
    for run in range(runs):
        reps: dict[str, dict[int, list[tuple[float, float]]]] = {"a": {}, "b": {}}
        for k in range(5):
            shared = generator.gauss(0.0, 0.08)
            for name, true in (("a", 120.0), ("b", 100.0)):
                level = true * math.exp(shared + generator.gauss(0.0, 0.04))
                reps[name][k] = [
                    (level * math.exp(generator.gauss(0.0, 0.15)), 1.0) for _ in range(3)
                ]
        found = bootstrap(reps, lambda r: r["a"] / r["b"], resamples=200, seed=run)
        assert found is not None
        held += found.low <= 1.2 <= found.high
    assert 0.88 <= held / runs <= 0.98
