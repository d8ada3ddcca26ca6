"""Confidence intervals for the deciding figures: a bootstrap over repetitions and batches.

A deciding figure is a function of per-variant rates, each a ratio of sums (CPU seconds
over requests, requests over seconds) over the batches of a phase's steady window
(batches.csv: one per second) in each repetition. The bootstrap resamples the units the
data vary by: with several repetitions, whole repetitions with replacement (one draw
shared by every variant, since the variants of a repetition ran interleaved on the same
machine state), each keeping its batches as measured; with one repetition, its batches.
Why not both levels: a repetition's spread already holds its batches' noise, and drawing
the batches again inside each drawn repetition counts that noise twice (Davison and
Hinkley, "Bootstrap Methods and their Application", 1997, section 3.8): in simulations
of a standard run's figures, the two-level interval held the true ratio 99-100% of the
time where 95% was asked, and was 15-45% wider than needed (tests/reports/test_intervals.py).
The interval is the percentile interval of the figure over the resamples, widened for the
few repetitions it rests on (below).

Why widened: a bootstrap over n units is too narrow for small n (its resamples spread
like the sample, by a factor sqrt((n-1)/n), and a percentile interval uses the normal
quantile where Student's t with n-1 degrees of freedom belongs). A standard run had 3
repetitions: the plain percentile interval covered far less than 95%, and a figure near
its threshold came out "decided" on opposite sides in successive runs. The correction is
Hesterberg's expanded percentile interval ("What Teachers Should Know About the
Bootstrap", The American Statistician 69(4), 2015), in its normal-theory form: each side's
distance from the point estimate times sqrt(n/(n-1)) * t(n-1) / z (on the log scale for a
positive figure such as a ratio, so that its interval stays positive). With one repetition
there is no spread between repetitions to correct, and the batches (many) stand alone.

scipy.stats.bootstrap resamples independent observations of each sample; here every
variant's repetitions are drawn together, so the scheme is written out here and checked
against known cases in tests/reports/test_intervals.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

# Batches of one variant in one repetition: (numerator, denominator) per batch.
Batches = list[tuple[float, float]]
# variant -> repetition -> its batches
Samples = Mapping[str, Mapping[int, Batches]]

CONFIDENCE = 0.95
RESAMPLES = 2000
SEED = 20261204  # fixed: the same folder gives the same interval on every report
# Fewer batches than this for a variant and there is no spread to resample: no interval.
MIN_BATCHES = 3


def small_sample_factor(repetitions: int, confidence: float = CONFIDENCE) -> float:
    """How much wider than the plain percentile interval the interval over this many
    repetitions is drawn: sqrt(n/(n-1)) * t(n-1) / z (1 for a single repetition).
    3 repetitions: x2.69; 5: x1.58; 10: x1.22; it tends to 1 as repetitions grow."""
    if repetitions < 2:
        return 1.0
    tail = 1 - (1 - confidence) / 2
    t = float(stats.t.ppf(tail, repetitions - 1))
    z = float(stats.norm.ppf(tail))
    return math.sqrt(repetitions / (repetitions - 1)) * t / z


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    repetitions: int  # repetitions every variant has, resampled
    batches: int  # batches over all variants and repetitions (or what `counted` names)
    counted: str = "batches"  # what `batches` counts: "requests" for a share, "seconds", ...

    def crosses(self, threshold: float) -> bool:
        return self.low < threshold < self.high

    def side(self, threshold: float) -> str:
        """'above', 'below' or 'straddles' the threshold."""
        if self.low >= threshold:
            return "above"
        if self.high < threshold:
            return "below"
        return "straddles"


def rate(batches: Batches) -> float | None:
    """Σ numerator / Σ denominator: a rate over a phase, weighted by its batches' sizes."""
    denominator = sum(b[1] for b in batches)
    return sum(b[0] for b in batches) / denominator if denominator else None


def _point(
    samples: Samples, common: list[int], statistic: Callable[[Mapping[str, float]], float | None]
) -> float | None:
    """The figure from every batch of the shared repetitions: what the interval is around."""
    rates = {name: rate([b for k in common for b in reps[k]]) for name, reps in samples.items()}
    if any(r is None for r in rates.values()):
        return None
    value = statistic({name: r for name, r in rates.items() if r is not None})
    return value if value is not None and math.isfinite(value) else None


def widened(point: float, low: float, high: float, widen: float) -> tuple[float, float]:
    """Each side's distance from the figure, times `widen`. A figure positive all through
    its interval (a ratio of costs, a share) is widened on the log scale, where a ratio's
    spread is symmetric, so that it never reaches zero or below; any other linearly. A
    skewed resample can leave the figure outside the plain interval: that side stays."""
    if point > 0 and low > 0:
        return (
            min(low, point * (low / point) ** widen),
            max(high, point * (high / point) ** widen),
        )
    return (
        min(low, point - widen * max(point - low, 0.0)),
        max(high, point + widen * max(high - point, 0.0)),
    )


def bootstrap(
    samples: Samples,
    statistic: Callable[[Mapping[str, float]], float | None],
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
) -> Interval | None:
    """The percentile interval of `statistic` (of each variant's rate) over a bootstrap of
    the shared repetitions (of the batches, where there is one); None where the variants
    share no repetition with batches."""
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
    # Each repetition's sums: what a draw of whole repetitions adds up.
    sums = {
        name: {k: (float(a[:, 0].sum()), float(a[:, 1].sum())) for k, a in reps.items()}
        for name, reps in arrays.items()
    }
    # One repetition: its batches are the units drawn. Several: whole repetitions are, and
    # their batches stay as they were measured (below).
    within = len(common) == 1
    point = _point(samples, common, statistic)
    values = []
    for _ in range(resamples):
        drawn = rng.choice(common, size=len(common), replace=True)
        rates: dict[str, float] = {}
        for name, reps in arrays.items():
            numerator = denominator = 0.0
            for k in drawn:
                if within:
                    batches = reps[int(k)]
                    picked = batches[rng.integers(0, len(batches), size=len(batches))]
                    numerator += float(picked[:, 0].sum())
                    denominator += float(picked[:, 1].sum())
                else:
                    numerator += sums[name][int(k)][0]
                    denominator += sums[name][int(k)][1]
            if denominator:
                rates[name] = numerator / denominator
        if len(rates) == len(arrays):
            value = statistic(rates)
            if value is not None and math.isfinite(value):
                values.append(value)
    if not values:
        return None
    tail = (1 - confidence) / 2 * 100
    low, high = (float(v) for v in np.percentile(values, [tail, 100 - tail]))
    if point is not None:
        low, high = widened(point, low, high, small_sample_factor(len(common), confidence))
    total = sum(len(arrays[name][k]) for name in arrays for k in common)
    return Interval(low, high, len(common), total)


def repetitions_to_decide(
    value: float, threshold: float, interval: Interval, most: int = 100
) -> int | None:
    """How many repetitions would put the interval on one side of the threshold, if the
    figure stayed where it is and the spread between repetitions stayed as measured: the
    interval's side toward the threshold narrows as small_sample_factor(n) / sqrt(n).
    None when the figure sits on the threshold (or more than `most` would be needed)."""
    margin = abs(value - threshold)
    if margin == 0:
        return None
    half = (interval.high - value) if threshold > value else (value - interval.low)
    now = max(interval.repetitions, 1)
    spread = half * math.sqrt(now) / small_sample_factor(now)  # the half-width per 1/sqrt(n)
    for needed in range(now + 1, most + 1):
        if spread * small_sample_factor(needed) / math.sqrt(needed) < margin:
            return needed
    return None


def proportion(hits: int, trials: int, confidence: float = CONFIDENCE) -> Interval | None:
    """The Wilson score interval of a share hits / trials (scipy.stats.binomtest), for a
    share of requests that failed: each request of an unsticky balancer lands on an
    instance independently. Unlike the plain normal interval it stays within 0-1 and
    does not shrink to nothing at 0 hits: 0 failures in 311 requests leave up to 1.2%
    possible, more than a 1% threshold."""
    if trials <= 0 or not 0 <= hits <= trials:
        return None
    found = stats.binomtest(hits, trials).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return Interval(float(found.low), float(found.high), 1, trials, "requests")


# A second's request count is a whole number, and a second boundary can move a request
# across: the per-second noise is taken as at least this, however alike the seconds.
COUNT_RESOLUTION = 1.0


def pooled_noise(groups: list[list[float]]) -> tuple[float, int]:
    """The per-second noise of several variants' steady seconds, each about its own mean
    (pooled standard deviation), at least COUNT_RESOLUTION, and its degrees of freedom:
    the variants of one outage run share the generator and the offered rate, and one
    variant alone has two or three such seconds."""
    squares, freedom = 0.0, 0
    for seconds in groups:
        if len(seconds) >= 2:
            mean = sum(seconds) / len(seconds)
            squares += sum((v - mean) ** 2 for v in seconds)
            freedom += len(seconds) - 1
    noise = math.sqrt(squares / freedom) if freedom else 0.0
    return max(noise, COUNT_RESOLUTION), freedom


def rate_ratio(
    share: float,
    part: list[float],
    normal: list[float],
    noise: tuple[float, int] | None = None,
    confidence: float = CONFIDENCE,
) -> Interval | None:
    """The interval of `share`, the per-second count of `part` (a store outage's seconds
    down) over the normal per-second count (the mean of `normal`, the steady seconds with
    the store up), capped at 1 as the share it is. The seconds' noise and its degrees of
    freedom are `noise` (pooled_noise over the run's variants) or `normal`'s own; the
    interval is the delta method's, with Student's t. None without a second down, a
    normal second, or a degree of freedom."""
    if not part or not normal:
        return None
    mean = float(np.mean(normal))
    spread, freedom = noise if noise is not None else pooled_noise([normal])
    if mean <= 0 or freedom < 1:
        return None
    error = math.sqrt(spread**2 / len(part) + share**2 * spread**2 / len(normal)) / mean
    t = float(stats.t.ppf(1 - (1 - confidence) / 2, freedom))
    low, high = max(0.0, share - t * error), min(1.0, share + t * error)
    return Interval(min(low, share), max(high, share), 1, len(part) + len(normal), "seconds")
