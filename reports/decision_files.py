"""The claims' typed decisions as a file, and how often repeated runs agreed on them
(reports.decisions is how the page and `authlab compare` read them in memory).

decisions.json (in a results folder, written with its report) holds, per claim, its
verdict and each deciding figure with its interval, threshold, margin and sample
counts (reports.margins.Decision.as_dict): what the page and `authlab compare` read
instead of parsing text. repeat.json (written by `authlab bench --runs K` into the
last run's folder) counts, per claim, how many of the K runs gave the same verdict.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from reports.claim import Claim

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


def agreement(directories: list[Path]) -> dict[str, Any]:
    """Per claim: each run's verdict, the most frequent one and how many runs gave it."""
    runs = [(d, read_decisions(d)) for d in directories]
    runs = [(d, data) for d, data in runs if data.get("claims")]
    order: dict[str, str] = {}
    verdicts: dict[str, list[str]] = {}
    for _, data in runs:
        for claim in data["claims"]:
            order.setdefault(claim["id"], claim["claim"])
            verdicts.setdefault(claim["id"], [])
    for _, data in runs:
        given = {c["id"]: c["verdict"] for c in data["claims"]}
        for claim_id in order:
            verdicts[claim_id].append(given.get(claim_id, "not measured"))
    claims = []
    for claim_id, text in order.items():
        counts = Counter(verdicts[claim_id])
        most, same = counts.most_common(1)[0]
        claims.append(
            {
                "id": claim_id,
                "claim": text,
                "verdicts": verdicts[claim_id],
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
