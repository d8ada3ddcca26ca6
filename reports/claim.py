"""A claim of the article, the run's verdict on it, and the commands that measure what a
verdict needs: the vocabulary every rule (reports.rules) speaks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from reports.load import RunData
from reports.margins import Decision

# "not decided": the deciding figure's interval crosses its threshold (reports.margins).
Verdict = Literal["supported", "refuted", "depends", "not measured", "not decided"]

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
            "verdict": self.verdict,
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


def not_decided(claim: Claim, deciding: list[Decision] | None = None) -> Claim:
    """The claim with its verdict withheld where a deciding figure's interval crosses its
    threshold: what the run would have said, and how many repetitions would decide it.
    `deciding`: the decisions whose side can still change the verdict (default: all)."""
    undecided = [d for d in (claim.decisions if deciding is None else deciding) if not d.decided]
    if not undecided or claim.verdict == "not measured":
        return claim
    why = "; ".join(d.undecided_text() for d in undecided)
    leaning = f"{claim.verdict} by the figure alone" if claim.verdict != "depends" else (
        f"'depends on {claim.condition}' by the figures alone"
    )  # fmt: skip
    sentence = claim.sentence
    if sentence:
        # The first screen's sentence keeps its figures and says they do not decide.
        sentence = sentence.rstrip(".") + "; at this run's precision that does not decide it ("
        sentence += "; ".join(d.interval_text() for d in undecided) + ")."
    return Claim(
        claim.id, claim.claim, "not decided", f"{why}; {leaning}", claim.evidence,
        claim.figures, claim.source, claim.decisions, sentence,
    )  # fmt: skip


def not_measured(
    id_: str, claim: str, command: str, source: str = "bench", because: str = ""
) -> Claim:
    """No verdict from absence: what is missing (why, where the run said), and the command
    that measures it."""
    why = f"{because}; run {command}" if because else f"run {command}"
    return Claim(id_, claim, "not measured", why, [f"not measured: {why}"], [], source)
