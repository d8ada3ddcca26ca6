"""The one place the page and `authlab compare` read a claim's deciding figures from.

The rules (reports.rules) hand each Claim its deciding figures as reports.margins.Decision
(value, unit, threshold, margin, the repetitions, a bootstrap interval where the figure
is a measured rate, and whether that interval leaves it decided); this module is what
draws them the same way on the page, in claims.csv and in `authlab compare`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reports import fmt
from reports.claim import Claim, Verdict
from reports.margins import Decision, with_band


@dataclass(frozen=True)
class Deciding:
    """A deciding figure as the page shows it and `compare` holds it against another run's."""

    claim_id: str
    figure: str  # what was measured, named the same way in every run (the match key)
    value: float
    unit: str  # "x" ratio, "%" share, "us" microseconds, "B" bytes
    threshold: float
    meaning: str  # what crossing the threshold means
    low: float | None  # the interval where the rules give one, else the repetitions' range
    high: float | None
    spread_kind: str  # "interval" or "repetitions" (what low-high is)
    decided: bool  # False: the spread reaches across the threshold
    # The band either side of the threshold the spread must also clear (reports.bands.RUN_TO_RUN).
    run_to_run: float = 0.0

    @property
    def margin(self) -> float:
        return self.value - self.threshold

    @property
    def has_spread(self) -> bool:
        return self.low is not None and self.high is not None

    def show(self, value: float | None) -> str:
        return show(value, self.unit)

    @property
    def value_text(self) -> str:
        return self.show(self.value)

    @property
    def threshold_text(self) -> str:
        return self.show(self.threshold)

    @property
    def line_text(self) -> str:
        """The threshold with the run-to-run band its spread must also clear, if any (the
        thresholds' note says what the band is)."""
        return with_band(self.threshold_text, self.run_to_run)

    @property
    def margin_text(self) -> str:
        sign = "+" if self.margin >= 0 else "-"
        if self.unit == "x":
            return f"{sign}{abs(self.margin):.2f}"
        return sign + self.show(abs(self.margin))

    @property
    def spread_text(self) -> str:
        """'repetitions' or 'interval' and its low-high, or '' without a spread."""
        if not self.has_spread:
            return ""
        return f"{self.spread_kind} {self.show(self.low)}-{self.show(self.high)}"


def show(value: float | None, unit: str) -> str:
    """A figure in its unit, spelled the same way on the page, in claims.csv and compare."""
    if value is None:
        return "-"
    if unit == "x":
        return f"{fmt.TIMES}{value:.2f}"
    if unit == "%":
        return fmt.pct(value, 1 if 0 < abs(value) < 0.1 else 0)
    if unit == "B":
        return fmt.size(value)
    return fmt.us(value)


def _spread(decision: Decision) -> tuple[float | None, float | None, str]:
    """The decision's interval where it has one, else the range of its repetitions, else
    nothing."""
    if decision.interval is not None:
        return decision.interval.low, decision.interval.high, "interval"
    if decision.spread is not None:
        return decision.spread[0], decision.spread[1], "repetitions"
    return None, None, ""


def deciding(claim: Claim) -> list[Deciding]:
    """A claim's deciding figures, in the rule's order (its first is the headline)."""
    found = []
    for decision in claim.decisions:
        low, high, kind = _spread(decision)
        found.append(
            Deciding(
                claim_id=claim.id,
                figure=decision.figure,
                value=float(decision.value),
                unit=decision.unit,
                threshold=float(decision.threshold),
                meaning=decision.meaning,
                low=low,
                high=high,
                spread_kind=kind,
                decided=decision.decided,
                run_to_run=decision.run_to_run,
            )
        )
    return found


def headline(claim: Claim) -> Deciding | None:
    """The figure a claim's one-row summary shows: the rule's first, or, where the verdict
    is not decided, the first figure that left it open (a decided figure beside "not
    decided" would read as a contradiction)."""
    figures = deciding(claim)
    if claim.verdict == Verdict.NOT_DECIDED:
        figures = [f for f in figures if not f.decided] or figures
    return figures[0] if figures else None


def find(claims: Iterable[Claim], claim_id: str, contains: str = "") -> Deciding | None:
    """The first deciding figure of a claim whose name contains `contains`."""
    for claim in claims:
        if claim.id != claim_id:
            continue
        for figure in deciding(claim):
            if contains in figure.figure:
                return figure
    return None


def undecided(claim: Claim) -> bool:
    """Whether the run's precision leaves the verdict open: the rules' own word where
    they say so, else a deciding figure whose interval crosses its threshold."""
    if claim.verdict == Verdict.NOT_DECIDED:
        return True
    return any(not figure.decided for figure in deciding(claim))
