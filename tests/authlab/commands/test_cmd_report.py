"""`authlab report RUN_DIR [--security FILE]`: the real command on a synthetic results folder."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from authlab.cli import app
from tests.authlab.processes import run_cli
from tests.reports.synthetic import security_document, write_run


def test_report_command_redraws_the_report_from_the_folder(tmp_path: Path) -> None:
    run = write_run(tmp_path / "results")
    security = tmp_path / "security.json"
    security.write_text(json.dumps(security_document()))
    result = run_cli("report", str(run), "--security", str(security), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    index = run / "report" / "index.html"
    assert result.stdout.strip() == f"report: {index}"
    text = index.read_text(encoding="utf-8")
    assert 'id="claims"' in text
    assert "session-none-csrf-off" in text  # the separate security results were read
    assert (run / "report" / "latency.png").is_file()


def test_report_command_refuses_a_missing_folder_or_security_file(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["report", str(tmp_path / "nope")])
    assert missing.exit_code == 2
    assert "no results folder" in missing.output
    tmp_path.joinpath("empty").mkdir()
    no_security = runner.invoke(
        app, ["report", str(tmp_path / "empty"), "--security", str(tmp_path / "x.json")]
    )
    assert no_security.exit_code == 2
    assert "no security results" in no_security.output


def test_report_of_an_empty_folder_says_not_measured(tmp_path: Path) -> None:
    # A run interrupted before anything was written still gets a page, not a traceback.
    folder = tmp_path / "20300101-000000-bench-empty"
    folder.mkdir()
    result = CliRunner().invoke(app, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    assert "not measured in this run" in (folder / "report" / "index.html").read_text()
