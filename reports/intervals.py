"""Confidence intervals for the deciding figures: a bootstrap over repetitions and batches.

A deciding figure is a function of per-variant rates, each a ratio of sums (CPU seconds
over requests, requests over seconds) over the batches of a phase's steady window
(batches.csv: one per second) in each repetition. The bootstrap resamples at both
levels, as the data were made: repetitions with replacement (one draw shared by every
variant, since the variants of a repetition ran interleaved on the same machine state),
then, within each drawn repetition, each variant's batches with replacement. The
interval is the percentile interval of the figure over the resamples.

scipy.stats.bootstrap resamples one level (observations); this two-level scheme is
written out here and checked against a known case in tests/reports/test_intervals.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

# Batches of one variant in one repetition: (numerator, denominator) per batch.
Batches = list[tuple[float, float]]
# variant -> repetition -> its batches
Samples = Mapping[str, Mapping[int, Batches]]

CONFIDENCE = 0.95
RESAMPLES = 2000
SEED = 20261204  # fixed: the same folder gives the same interval on every report
# Fewer batches than this for a variant and there is no spread to resample: no interval.
MIN_BATCHES = 3


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    repetitions: int  # repetitions every variant has, resampled
    batches: int  # batches over all variants and repetitions

    def crosses(self, threshold: float) -> bool:
        return self.low < threshold < self.high


def rate(batches: Batches) -> float | None:
    """Σ numerator / Σ denominator: a rate over a phase, weighted by its batches' sizes."""
    denominator = sum(b[1] for b in batches)
    return sum(b[0] for b in batches) / denominator if denominator else None


def bootstrap(
    samples: Samples,
    statistic: Callable[[Mapping[str, float]], float | None],
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
) -> Interval | None:
    """The percentile interval of `statistic` (of each variant's rate) over a two-level
    bootstrap; None where the variants share no repetition with batches."""
    common = sorted(
        set.intersection(*(set(k for k, b in reps.items() if b) for reps in samples.values()))
    ) if samples else []  # fmt: skip
    if not common or any(
        sum(len(reps[k]) for k in common) < MIN_BATCHES for reps in samples.values()
    ):
        return None
    rng = np.random.default_rng(seed)
    arrays = {
        name: {k: np.asarray(reps[k], dtype=float) for k in common}
        for name, reps in samples.items()
    }
    values = []
    for _ in range(resamples):
        drawn = rng.choice(common, size=len(common), replace=True)
        rates: dict[str, float] = {}
        for name, reps in arrays.items():
            numerator = denominator = 0.0
            for k in drawn:
                batches = reps[int(k)]
                picked = batches[rng.integers(0, len(batches), size=len(batches))]
                numerator += float(picked[:, 0].sum())
                denominator += float(picked[:, 1].sum())
            if denominator:
                rates[name] = numerator / denominator
        if len(rates) == len(arrays):
            value = statistic(rates)
            if value is not None and math.isfinite(value):
                values.append(value)
    if not values:
        return None
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    total = sum(len(arrays[name][k]) for name in arrays for k in common)
    return Interval(float(low), float(high), len(common), total)


def repetitions_to_decide(
    value: float, threshold: float, interval: Interval, most: int = 100
) -> int | None:
    """How many repetitions would put the interval on one side of the threshold, if the
    figure stayed where it is and the interval narrowed as 1/sqrt(repetitions); None when
    the figure sits on the threshold (or more than `most` would be needed)."""
    margin = abs(value - threshold)
    if margin == 0:
        return None
    half = (interval.high - value) if threshold > value else (value - interval.low)
    needed = math.ceil(interval.repetitions * (half / margin) ** 2)
    return needed if needed <= most else None
