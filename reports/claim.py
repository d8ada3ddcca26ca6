"""A claim of the article, the run's verdict on it, and the commands that measure what a
verdict needs: the vocabulary every rule (reports.rules) speaks."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reports.load import RunData
from reports.margins import Decision


class Verdict(StrEnum):
    """A claim's verdict; its value is the word decisions.json and claims.csv hold."""

    SUPPORTED = "supported"
    REFUTED = "refuted"
    DEPENDS = "depends"
    NOT_DECIDED = "not decided"  # a deciding figure's interval crosses its threshold
    NOT_MEASURED = "not measured"


NOT_MEASURED = "not measured in this run"

# The commands that measure what a rule needs (named wherever it is missing).


BENCH = "authlab bench"


SECURITY = (
    "`make security`, then `authlab report RUN --security results/<security run>/security.json`"
)


def security_gap(run: RunData) -> str:
    """Why this run has no CSRF and XSS evidence, in the bench's words (status.json: no
    Chromium found, and how to get one) or the lab's (its CSRF section skipped: the browser
    at PATH did not start); "" where neither said."""
    status = run.status.get("security")
    if isinstance(status, dict) and status.get("measured") is False and status.get("reason"):
        return str(status["reason"])
    section = (run.security or {}).get("csrf_browser")
    if isinstance(section, dict) and section.get("skipped") not in (None, "", "not selected"):
        return str(section["skipped"])
    return ""


def security_fill(run: RunData) -> str:
    """The commands that fill the security lab's gap: status.json's word when the bench
    named them, else the lab's own."""
    status = run.status.get("security")
    if isinstance(status, dict) and status.get("measured") is False and status.get("command"):
        then = f", then `{status['then']}`" if status.get("then") else ""
        return f"`{status['command']}`{then}"
    return SECURITY


def security_command(run: RunData) -> str:
    """The commands that fill the gap, and why there is one where the run said."""
    gap = security_gap(run)
    return security_fill(run) + (f" ({gap})" if gap else "")


def experiment(name: str) -> str:
    return f"`{BENCH} --experiments {name}`"


def variants_command(*names: str) -> str:
    return f"`{BENCH} --only {','.join(names)}`"


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    verdict: Verdict
    condition: str = ""  # for "depends": what it depends on; otherwise why
    evidence: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    source: str = "bench"
    decisions: list[Decision] = field(default_factory=list)
    sentence: str = ""  # one plain sentence for the first screen ("" when it has none)

    @property
    def fragile(self) -> bool:
        return any(d.fragile for d in self.decisions)

    @property
    def label(self) -> str:
        if self.verdict == "depends":
            return f"depends on {self.condition}"
        if self.verdict == "not measured":
            return f"not measured: {self.condition}" if self.condition else NOT_MEASURED
        return self.verdict + (" (fragile)" if self.fragile else "")

    @property
    def undecided(self) -> list[Decision]:
        return [d for d in self.decisions if not d.decided]

    def as_dict(self) -> dict[str, Any]:
        """The claim's typed decision for decisions.json."""
        return {
            "id": self.id,
            "claim": self.claim,
            "verdict": str(self.verdict),
            "condition": self.condition,
            "decisions": [d.as_dict() for d in self.decisions],
        }

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim": self.claim,
            "verdict": self.verdict,
            "fragile": self.fragile,
            "label": self.label,
            "condition": self.condition,
            "deciding": " | ".join(d.text() for d in self.decisions),
            "evidence": " | ".join(self.evidence),
            "figures": " ".join(self.figures),
            "source": self.source,
        }
