"""The claims' typed decisions as a file, and how often repeated runs agreed on them
(reports.decisions is how the page and `authlab compare` read them in memory).

decisions.json (in a results folder, written with its report) holds, per claim, its
verdict and each deciding figure with its interval, threshold, margin and sample
counts (reports.margins.Decision.as_dict): what the page and `authlab compare` read
instead of parsing text. repeat.json (written by `authlab bench --runs K` into the
last run's folder) counts, per claim, how many of the K runs gave the same verdict, and
keeps each run's first deciding figure with its interval beside it: a verdict that repeats
is only as convincing as the figures under it, and a reader should see them side by side.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from reports.claim import Claim
from reports.margins import show, with_band

SCHEMA = 1
DECISIONS = "decisions.json"
REPEAT = "repeat.json"


def write_decisions(directory: Path, run_id: str, claims: list[Claim]) -> Path:
    path = directory / DECISIONS
    data = {"schema": SCHEMA, "run_id": run_id, "claims": [c.as_dict() for c in claims]}
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def read_decisions(directory: Path) -> dict[str, Any]:
    path = directory / DECISIONS
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return data if isinstance(data, dict) else {}


# What a run's deciding figure keeps in repeat.json (decisions.json has the rest).
FIGURE_KEYS = (
    "figure", "value", "unit", "threshold", "interval_low", "interval_high", "decided",
    "run_to_run",
)  # fmt: skip


def _deciding(claim: dict[str, Any]) -> dict[str, Any] | None:
    """A claim's first deciding figure that has an interval (else its first), or None;
    of a claim not decided, the first figure that left it open."""
    figures = claim.get("decisions") or []
    if claim.get("verdict") == "not decided":
        figures = [f for f in figures if f.get("decided") is False] or figures
    measured = [f for f in figures if f.get("interval_low") is not None] or figures
    return {key: measured[0].get(key) for key in FIGURE_KEYS} if measured else None


def agreement(directories: list[Path]) -> dict[str, Any]:
    """Per claim: each run's verdict and deciding figure, the most frequent verdict and how
    many runs gave it."""
    runs = [(d, read_decisions(d)) for d in directories]
    runs = [(d, data) for d, data in runs if data.get("claims")]
    order: dict[str, str] = {}
    verdicts: dict[str, list[str]] = {}
    deciding: dict[str, list[dict[str, Any] | None]] = {}
    for _, data in runs:
        for claim in data["claims"]:
            order.setdefault(claim["id"], claim["claim"])
            verdicts.setdefault(claim["id"], [])
            deciding.setdefault(claim["id"], [])
    for _, data in runs:
        given = {c["id"]: c for c in data["claims"]}
        for claim_id in order:
            claim = given.get(claim_id)
            verdicts[claim_id].append(claim["verdict"] if claim else "not measured")
            deciding[claim_id].append(_deciding(claim) if claim else None)
    claims = []
    for claim_id, text in order.items():
        counts = Counter(verdicts[claim_id])
        most, same = counts.most_common(1)[0]
        claims.append(
            {
                "id": claim_id,
                "claim": text,
                "verdicts": verdicts[claim_id],
                "deciding": deciding[claim_id],
                "most": most,
                "same": same,
                "of": len(runs),
            }
        )
    return {
        "schema": SCHEMA,
        "runs": [str(data.get("run_id") or d.name) for d, data in runs],
        "folders": [str(d) for d, _ in runs],
        "claims": claims,
    }


def write_agreement(directories: list[Path], into: Path) -> Path:
    path = into / REPEAT
    path.write_text(json.dumps(agreement(directories), indent=2) + "\n")
    return path


def read_agreement(directory: Path) -> dict[str, Any]:
    path = directory / REPEAT
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return data if isinstance(data, dict) else {}


def deciding_text(figure: dict[str, Any] | None) -> str:
    """A run's deciding figure as the page shows it under its verdict: x1.24 (x0.99-x1.67)
    vs x1.50, with the times sign; "" without one (an older repeat.json too)."""
    if not figure or figure.get("value") is None:
        return ""
    unit = str(figure.get("unit") or "x")
    text = show(float(figure["value"]), unit)
    low, high = figure.get("interval_low"), figure.get("interval_high")
    if low is not None and high is not None:
        text += f" ({show(float(low), unit)}-{show(float(high), unit)})"
    if figure.get("threshold") is not None:
        line = show(float(figure["threshold"]), unit)
        text += f" vs {with_band(line, float(figure.get('run_to_run') or 0.0))}"
    return text
