"""Two runs side by side: verdicts, deciding figures with their spread, what moved beyond
it, and the request path's package versions that differ."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from reports.compare import as_html, as_text, compare_runs, mark
from tests.reports.synthetic import write_run


def _twin(run: Path, name: str) -> Path:
    twin = Path(shutil.copytree(run, run.parent / name))
    manifest = json.loads((twin / "manifest.json").read_text())
    manifest["run_id"] = name
    (twin / "manifest.json").write_text(json.dumps(manifest))
    return twin


def _heavier(run: Path, variant: str, factor: float) -> None:
    """Make one variant's CPU per request `factor` times what it was, in every file."""
    column = "server_cpu_us_per_request"
    for name, columns in (("summary", (column, f"{column}_min", f"{column}_max")),
                          ("phases", (column,))):  # fmt: skip
        frame = pd.read_csv(run / f"{name}.csv")
        rows = frame["variant"] == variant
        for c in columns:
            frame.loc[rows, c] = frame.loc[rows, c] * factor
        frame.to_csv(run / f"{name}.csv", index=False)


def test_a_change_counts_only_beyond_both_spreads() -> None:
    assert mark(100.0, (95.0, 105.0), 120.0, (110.0, 130.0)) == "higher"
    assert mark(100.0, (95.0, 105.0), 80.0, (70.0, 90.0)) == "lower"
    assert mark(100.0, (95.0, 105.0), 108.0, (104.0, 112.0)) == "within the spread"
    assert mark(100.0, None, 200.0, (190.0, 210.0)) == "no spread"


def test_a_run_against_itself_changes_nothing(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    comparison = compare_runs(run, _twin(run, "again"))
    assert not any(claim.changed for claim in comparison.claims)
    moved = [f for c in comparison.claims for f in c.figures if f.change in ("higher", "lower")]
    assert moved == []
    assert comparison.versions == [] and comparison.made == []
    assert "0 verdict(s) changed; 0 figure(s) moved beyond their spread" in as_text(comparison)


def test_a_heavier_session_moves_its_figures_and_flips_the_verdict(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    heavier = _twin(run, "heavier")
    _heavier(heavier, "session-redis", 2.0)
    comparison = compare_runs(run, heavier)
    (claim,) = [c for c in comparison.claims if c.id == "sessions-heavy"]
    assert (claim.verdict_a, claim.verdict_b) == ("refuted", "supported")
    (pair,) = [f for f in claim.figures if "deployable defaults" in f.figure]
    assert pair.change == "higher" and pair.crossed
    assert pair.ratio is not None and pair.ratio > 1.8
    (cpu,) = [
        v for v in comparison.variants
        if v.variant == "session-redis" and v.quantity.startswith("CPU")
    ]  # fmt: skip
    assert cpu.change == "higher"
    text = as_text(comparison)
    assert "[refuted -> supported  CHANGED]" in text
    assert "higher, beyond the spread  crossed its threshold" in text
    page = as_html(comparison)
    assert "1 verdict(s) changed" in page and 'class="changed"' in page


def test_other_versions_on_the_request_path_are_flagged(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    other = _twin(run, "other")
    for folder, versions in ((run, {"uvicorn": "0.54.0", "pyjwt": "2.15.1", "pandas": "3.0"}),
                             (other, {"uvicorn": "0.55.0", "pyjwt": "2.15.1", "pandas": "3.1",
                                      "uvloop": "0.23.0"})):  # fmt: skip
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["versions"] = versions
        (folder / "manifest.json").write_text(json.dumps(manifest))
    comparison = compare_runs(run, other)
    # pandas draws the report, it is not on the request path; pyjwt did not change.
    assert comparison.versions == [
        ("uvicorn", "0.54.0", "0.55.0"),
        ("uvloop", "not recorded", "0.23.0"),
    ]
    assert "WARNING: packages on the request path differ" in as_text(comparison)
    assert "uvicorn 0.54.0 → 0.55.0" in as_html(comparison)
