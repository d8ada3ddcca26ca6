"""`authlab compare RUN_A RUN_B`: the real command on two synthetic results folders."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from authlab.cli import app
from tests.authlab.processes import run_cli
from tests.reports.synthetic import write_run


def test_compare_prints_both_runs_and_writes_the_page(tmp_path: Path) -> None:
    a = write_run(tmp_path / "results")
    b = Path(shutil.copytree(a, tmp_path / "results" / "b"))
    result = run_cli("compare", str(a), str(b), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1. Sessions put a heavy load on the server.  [refuted in both]" in result.stdout
    page = b / "report" / f"compare-{a.name}.html"
    assert result.stdout.strip().endswith(f"page: {page}")
    assert "authlab compare: two runs side by side" in page.read_text(encoding="utf-8")


def test_compare_refuses_a_folder_that_is_no_run(tmp_path: Path) -> None:
    a = write_run(tmp_path)
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(app, ["compare", str(a), str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "no results folder at" in result.output
    assert "Traceback" not in result.output
