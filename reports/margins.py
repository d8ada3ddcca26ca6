"""A verdict's deciding figure, the threshold it is held against, and its margin.

A reader who doubts a verdict should see which number decided it, where the line
was drawn and how far the number is from it; and whether the run's own repetitions
would have put it on the other side ("fragile"). The repetitions are the per-run
values from phases.csv, not only the summary's min and max.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reports import fmt
from reports.intervals import CONFIDENCE, Interval, repetitions_to_decide

Unit = str  # "x" (a ratio), "%" (a share), "us" (microseconds), "B" (bytes)


def show(value: float, unit: Unit) -> str:
    """A figure in its unit, as every verdict shows it."""
    if unit == "x":
        return f"{fmt.TIMES}{value:.2f}"
    if unit == "%":
        # Under 1%, two decimals: a 0.96% bound must not read as the 1.0% line it is under.
        return fmt.pct(value, 2 if 0 < abs(value) < 0.01 else 1 if abs(value) < 0.1 else 0)
    if unit == "B":
        return fmt.size(value)
    return fmt.us(value)


def with_band(line: str, run_to_run: float) -> str:
    """A threshold as shown, with the run-to-run band its interval must clear where it has
    one ("x1.50 ±10%"; the thresholds' note says what the band is)."""
    return f"{line} ±{run_to_run:.0%}" if run_to_run else line


@dataclass(frozen=True)
class Decision:
    """One comparison that a verdict rests on."""

    figure: str  # what was measured, e.g. "session-redis / token-hs256, CPU per GET /me"
    value: float
    threshold: float
    meaning: str  # what crossing the threshold means, e.g. "'heavy' from here"
    unit: Unit = "x"
    repetitions: tuple[float, ...] = ()  # the same figure in each repetition, where known
    # Its confidence interval (reports.intervals), where the figure is a measured rate:
    # None for a count or size that has no sampling error to speak of.
    interval: Interval | None = None
    # How far (a share of the threshold) the figure moves from one run to the next on the
    # same machine, beyond what its own repetitions show (reports.bands.RUN_TO_RUN for CPU
    # and capacity ratios): the interval must clear the threshold by that much to decide.
    run_to_run: float = 0.0

    @property
    def margin(self) -> float:
        return self.value - self.threshold

    @property
    def edges(self) -> tuple[float, float]:
        """The threshold widened by the run-to-run band: the interval must lie below the
        first or above the second to decide (both the threshold without a band)."""
        if self.unit == "x":  # a ratio: the band is a factor either way
            return self.threshold / (1 + self.run_to_run), self.threshold * (1 + self.run_to_run)
        band = self.threshold * self.run_to_run
        return self.threshold - band, self.threshold + band

    @property
    def decided(self) -> bool:
        """False when the interval crosses the threshold, or its run-to-run band: this
        run's precision cannot say which side the figure is on, or another run could put
        it on the other."""
        interval = self.interval
        if interval is None:
            return True
        low, high = self.edges
        if not self.run_to_run:
            return not interval.crosses(self.threshold)
        return interval.high <= low or interval.low >= high

    @property
    def within_run_to_run(self) -> bool:
        """The figure itself lies inside the run-to-run band: no repetitions decide it."""
        low, high = self.edges
        return bool(self.run_to_run) and low < self.value < high

    @property
    def repetitions_needed(self) -> int | None:
        """For an undecided figure: about how many repetitions would decide it (None where
        the figure lies inside its run-to-run band)."""
        if self.decided or self.interval is None or self.within_run_to_run:
            return None
        low, high = self.edges
        edge = high if self.value >= self.threshold else low
        return repetitions_to_decide(self.value, edge, self.interval)

    def undecided_text(self) -> str:
        """What an undecided figure says instead of a side."""
        needed = self.repetitions_needed
        if needed:
            more = f"about {needed} repetitions would decide it"
        elif self.within_run_to_run:
            more = (
                f"it lies within the {self.run_to_run:.0%} of its threshold that one run "
                "differs from the next by, so no number of repetitions decides it"
            )
        else:
            more = "it sits too close to the threshold for more repetitions to decide it soon"
        return f"not decided at this run's precision ({self.figure}; {more})"

    def interval_text(self) -> str:
        """The interval beside the threshold it crosses, or "" without an interval."""
        interval = self.interval
        if interval is None:
            return ""
        shown = f"{CONFIDENCE:.0%} interval {show(interval.low, self.unit)}-" + show(
            interval.high, self.unit
        )
        line = show(self.threshold, self.unit)
        if not self.run_to_run:
            return f"{shown} across the {line} line"
        low, high = self.edges
        return (
            f"{shown}, not clear of the {line} line's run-to-run band "
            f"{show(low, self.unit)}-{show(high, self.unit)}"
        )

    def as_dict(self) -> dict[str, Any]:
        """The decision for decisions.json (read by the page and `authlab compare`)."""
        interval = self.interval
        return {
            "figure": self.figure,
            "value": self.value,
            "unit": self.unit,
            "threshold": self.threshold,
            "meaning": self.meaning,
            "margin": self.margin,
            "above": self.above,
            "interval_low": interval.low if interval else None,
            "interval_high": interval.high if interval else None,
            "confidence": CONFIDENCE if interval else None,
            "repetitions": interval.repetitions if interval else len(self.repetitions) or None,
            "batches": interval.batches if interval else None,
            "run_to_run": self.run_to_run,
            "decided": self.decided,
            "repetitions_needed": self.repetitions_needed,
        }

    @property
    def above(self) -> bool:
        return self.value >= self.threshold

    @property
    def spread(self) -> tuple[float, float] | None:
        if len(self.repetitions) < 2:
            return None
        return min(self.repetitions), max(self.repetitions)

    @property
    def fragile(self) -> bool:
        """The repetitions fall on both sides of the threshold, or on the other side from
        the figure itself (a median of medians need not lie among the per-repetition
        ratios): another run could flip the verdict."""
        spread = self.spread
        if spread is None:
            return False
        low, high = min(spread[0], self.value), max(spread[1], self.value)
        return low < self.threshold <= high or low <= self.threshold < high

    def text(self) -> str:
        margin = self.margin
        sign = "+" if margin >= 0 else "-"
        shown_margin = (
            f"{sign}{abs(margin):.2f}"
            if self.unit == "x"
            else f"{sign}{show(abs(margin), self.unit)}"
        )
        parts = [
            f"{self.figure}: {show(self.value, self.unit)}",
            f"threshold {show(self.threshold, self.unit)} ({self.meaning})",
            f"margin {shown_margin}",
        ]
        interval = self.interval
        if interval is not None:
            parts.append(
                f"{CONFIDENCE:.0%} interval {show(interval.low, self.unit)}-"
                f"{show(interval.high, self.unit)} ({fmt.count(interval.repetitions)} "
                f"repetition{'s' if interval.repetitions != 1 else ''}, "
                f"{fmt.count(interval.batches)} {interval.counted})"
            )
        spread = self.spread
        if spread is not None:
            parts.append(f"repetitions {show(spread[0], self.unit)}-{show(spread[1], self.unit)}")
        text = "; ".join(parts)
        if not self.decided:
            text += ": " + self.undecided_text()
        elif self.fragile:
            text += ": FRAGILE, the repetitions straddle the threshold"
        return text


def band(value: float, edges: Sequence[tuple[float, str]], below: str) -> str:
    """The name of the band `value` falls in: edges are (lower bound, name), ascending."""
    name = below
    for edge, label in edges:
        if value >= edge:
            name = label
    return name


def ratios(a: Mapping[int, float], b: Mapping[int, float]) -> tuple[float, ...]:
    """Per-repetition ratios a_k / b_k of two variants, paired by repetition k (one that
    only one of them has is left out, as is a zero divisor)."""
    return tuple(a[k] / b[k] for k in sorted(a) if b.get(k))


def relative_spread(values: Sequence[float]) -> float | None:
    """(max - min) / median of a figure's repetitions: how far one run moves it."""
    if len(values) < 2:
        return None
    ordered = sorted(values)
    middle = ordered[len(ordered) // 2]
    if len(ordered) % 2 == 0:
        middle = (ordered[len(ordered) // 2 - 1] + middle) / 2
    return (ordered[-1] - ordered[0]) / middle if middle else None
