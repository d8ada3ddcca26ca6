"""`authlab bench` runs the security lab's browser quick set itself, or says what fills the gap.

Real parts: the benchmark's own servers and Redis, the security lab as a child
process, Debian's Chromium. A run with only the baseline variant and no load
phase keeps these tests to the browser part's own time (about 40 s here).
"""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from authlab.bench.experiments import security_browser
from authlab.bench.profiles import get_profile
from authlab.bench.runner import Bench, BenchOptions, BenchResult
from reports.load import load_run
from tests.conftest import service_missing

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[3]


def _bench(results: Path, security_file: Path | None = None) -> BenchResult:
    """A bench run with no load phase: seed, start and verify baseline, then the browser lab."""
    profile = dataclasses.replace(get_profile("smoke"), phases=())
    options = BenchOptions(
        profile=profile,
        only="baseline",
        results_root=results,
        experiments=("security_browser",),
        security_file=security_file,
    )
    return Bench(options).run()


def _status(result: BenchResult) -> dict[str, object]:
    status: dict[str, object] = json.loads((result.directory / "status.json").read_text())
    return status


def test_standard_runs_the_browser_quick_set() -> None:
    assert "security_browser" in get_profile("standard").experiments
    assert "security_browser" in get_profile("full").experiments


def test_without_chromium_the_run_names_the_command_that_fills_the_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("authlab.security.chromium.CHROMIUM", tmp_path / "no-chromium")
    result = _bench(tmp_path)
    status = _status(result)["security"]
    assert isinstance(status, dict)
    assert status["measured"] is False
    assert status["command"] == "make security"
    assert "no-chromium" in status["reason"]
    assert str(result.directory) in status["then"]
    assert any("make security" in warning for warning in result.warnings)
    assert not (result.directory / "security.json").exists()
    assert load_run(result.directory).security is None  # the report has nothing to judge from


def test_a_given_security_file_replaces_the_browser_lab(tmp_path: Path) -> None:
    given = tmp_path / "given.json"
    given.write_text("{}")
    result = _bench(tmp_path / "results", security_file=given)
    status = _status(result)["security"]
    assert status == {"measured": True, "file": str(given), "given": True}
    assert not (result.directory / "raw" / "security").exists()  # the lab did not run


def test_with_chromium_the_report_gets_the_csrf_and_xss_evidence(tmp_path: Path) -> None:
    reason = security_browser.browser_missing()
    if reason:
        service_missing(f"the browser lab needs Chromium: {reason}")
    result = _bench(tmp_path)
    status = _status(result)["security"]
    assert isinstance(status, dict)
    assert status["measured"] is True, status
    assert status["all_as_expected"] is True
    document = json.loads((result.directory / "security.json").read_text())
    assert document["quick"] is True
    assert document["environment"]["chromium"]
    csrf = document["csrf_browser"]["results"]
    exploited = {row["configuration"] for row in csrf if row["transfer_happened"]}
    assert "session-none-csrf-off" in exploited  # the weak cookie is shown exploitable
    assert not any(name.startswith("token-header") for name in exploited)
    assert {row["configuration"] for row in document["xss"]} >= {"token-header"}
    # The report finds it in the folder alone (authlab report RUN_DIR).
    assert load_run(result.directory).security == document


def test_ctrl_c_during_the_browser_lab_stops_it_and_everything_it_started(tmp_path: Path) -> None:
    if security_browser.browser_missing():
        service_missing(f"the browser lab needs Chromium: {security_browser.browser_missing()}")
    # The same run as _bench, in a process of its own that Ctrl-C can reach.
    script = (
        "import sys; from pathlib import Path; "
        "from tests.authlab.bench.test_security_browser import _bench; "
        f"sys.exit(130 if _bench(Path({str(tmp_path)!r})).interrupted else 0)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    lab: list[psutil.Process] = []
    while time.monotonic() < deadline and not lab:
        assert process.poll() is None, process.communicate()[0]
        children = psutil.Process(process.pid).children(recursive=True)
        if any("chrom" in (child.name() or "") for child in _alive(children)):
            lab = children
        time.sleep(0.3)
    assert lab, "the browser lab never started Chromium"
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=90)
    assert process.returncode == 130, output
    _gone, alive = psutil.wait_procs(lab, timeout=15)
    assert not alive, f"left running: {[(p.pid, p.name()) for p in alive]}"
    (run_dir,) = list(tmp_path.iterdir())
    status = json.loads((run_dir / "status.json").read_text())
    assert status["interrupted"] is True
    assert (run_dir / "verification.csv").is_file()  # what was done before is kept


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    return [p for p in processes if p.is_running()]
