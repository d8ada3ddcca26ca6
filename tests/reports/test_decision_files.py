"""decisions.json and the agreement of repeated runs (reports.decision_files)."""

from __future__ import annotations

import json
from pathlib import Path

from reports.claim import Claim
from reports.decision_files import (
    agreement,
    deciding_text,
    read_decisions,
    write_agreement,
    write_decisions,
)
from reports.fmt import TIMES
from reports.intervals import Interval
from reports.margins import Decision


def _claims(verdict: str) -> list[Claim]:
    decision = Decision("a / b", 1.55, 1.5, "'heavy' from here", "x", (), Interval(1.4, 1.7, 3, 12))
    return [
        Claim("sessions-heavy", "Sessions are heavy.", verdict, decisions=[decision]),  # type: ignore[arg-type]
        Claim("tokens-free", "Tokens are free.", "refuted"),
    ]


def test_decisions_json_holds_each_deciding_figure_with_its_interval(tmp_path: Path) -> None:
    write_decisions(tmp_path, "run-1", _claims("not decided"))
    data = read_decisions(tmp_path)
    assert data["schema"] == 1 and data["run_id"] == "run-1"
    (decision,) = data["claims"][0]["decisions"]
    assert decision["interval_low"] == 1.4 and decision["interval_high"] == 1.7
    assert decision["threshold"] == 1.5 and decision["margin"] == 1.55 - 1.5
    assert decision["decided"] is False and decision["repetitions_needed"] == 7  # x2.69 wider
    assert (decision["repetitions"], decision["batches"]) == (3, 12)


def test_agreement_counts_the_runs_that_gave_the_same_verdict(tmp_path: Path) -> None:
    folders = []
    for number, verdict in enumerate(("supported", "not decided", "supported")):
        folder = tmp_path / f"run-{number}"
        folder.mkdir()
        write_decisions(folder, folder.name, _claims(verdict))
        folders.append(folder)
    found = agreement(folders)
    heavy, free = found["claims"]
    assert heavy["verdicts"] == ["supported", "not decided", "supported"]
    assert (heavy["most"], heavy["same"], heavy["of"]) == ("supported", 2, 3)
    assert (free["same"], free["of"]) == (3, 3)
    written = json.loads(write_agreement(folders, folders[-1]).read_text())
    assert written["runs"] == ["run-0", "run-1", "run-2"]


def test_agreement_keeps_each_runs_deciding_figure_beside_its_verdict(tmp_path: Path) -> None:
    folders = []
    for number in range(2):
        folder = tmp_path / f"run-{number}"
        folder.mkdir()
        write_decisions(folder, folder.name, _claims("not decided"))
        folders.append(folder)
    heavy, free = agreement(folders)["claims"]
    assert heavy["deciding"][0] == {
        "figure": "a / b",
        "value": 1.55,
        "unit": "x",
        "threshold": 1.5,
        "interval_low": 1.4,
        "interval_high": 1.7,
        "decided": False,
        "run_to_run": 0.0,
    }
    assert free["deciding"] == [None, None]  # no deciding figure: nothing to show
    assert (
        deciding_text(heavy["deciding"][1])
        == f"{TIMES}1.55 ({TIMES}1.40-{TIMES}1.70) vs {TIMES}1.50"
    )
    # A CPU ratio's run-to-run band is said beside its threshold.
    assert deciding_text({**heavy["deciding"][1], "run_to_run": 0.1}).endswith(
        f"vs {TIMES}1.50 ±10%"
    )
    assert deciding_text(None) == ""


def test_a_claim_not_decided_shows_the_figure_that_left_it_open(tmp_path: Path) -> None:
    # Claim 1 of a standard run: its pair ratio decided below x1.50, the growth in memory
    # crossing it. Beside "not decided", the decided ratio would read as a contradiction.
    from reports.decisions import headline

    decided = Decision("pair", 1.11, 1.5, "'heavy'", "x", (), Interval(0.95, 1.24, 5, 30))
    crossing = Decision("growth", 1.03, 1.5, "'heavy'", "x", (), Interval(0.77, 1.58, 4, 19))
    claim = Claim("sessions-heavy", "Sessions are heavy.", "not decided",  # type: ignore[arg-type]
                  decisions=[decided, crossing])  # fmt: skip
    found = headline(claim)
    assert found is not None and found.figure == "growth"
    write_decisions(tmp_path, "run", [claim])
    (heavy,) = agreement([tmp_path])["claims"]
    assert heavy["deciding"][0]["figure"] == "growth"
    # A decided claim keeps the rule's first figure.
    refuted = Claim("sessions-heavy", "Sessions are heavy.", "refuted",  # type: ignore[arg-type]
                    decisions=[decided, crossing])  # fmt: skip
    found = headline(refuted)
    assert found is not None and found.figure == "pair"
