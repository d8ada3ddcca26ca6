"""`authlab bench` runs the security lab's browser quick set itself, or says what fills the gap.

Real parts: the benchmark's own servers and Redis, the security lab as a child
process, the Chromium that authlab/security/discovery.py finds. A run with only the
baseline variant and no load phase keeps these tests to the browser part's own time
(about 40 s here).
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

from authlab.bench.profiles import get_profile
from authlab.bench.runner import Bench, BenchOptions, BenchResult
from authlab.security import discovery
from reports.load import load_run
from reports.verdicts import claims
from tests.conftest import browser_or_skip

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[3]
MISSING_LIBRARY = "chromium: error while loading shared libraries: libnss3.so: cannot open"


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
    # No Chromium anywhere discovery looks: none of its names on PATH, no application
    # folder, an empty Playwright cache.
    monkeypatch.delenv("AUTHLAB_CHROMIUM", raising=False)
    monkeypatch.setitem(discovery.ON_PATH, "chromium", ("no-chromium",))
    monkeypatch.setattr(discovery, "APPLICATIONS", tmp_path / "Applications")
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-playwright-browsers"))
    result = _bench(tmp_path)
    status = _status(result)["security"]
    assert isinstance(status, dict)
    assert status["measured"] is False
    assert status["command"] == "make security"
    assert status["reason"].startswith("no Chromium found (looked at AUTHLAB_CHROMIUM; no-chromium")
    assert "sudo dnf install chromium" in status["reason"]
    assert str(result.directory) in status["then"]
    [warning] = [w for w in result.warnings if "CSRF and XSS not measured" in w]
    assert "no Chromium found" in warning
    assert f"then `authlab report {result.directory} --security" in warning
    assert not (result.directory / "security.json").exists()
    run = load_run(result.directory)
    assert run.security is None  # the report has nothing to judge from
    csrf = next(claim for claim in claims(run) if claim.id == "sessions-csrf")
    assert csrf.label.startswith("not measured: no Chromium found (looked at AUTHLAB_CHROMIUM")


def test_a_chromium_that_does_not_start_is_named_and_the_rest_is_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "bin" / "chromium"
    broken.parent.mkdir()
    broken.write_text(f"#!/bin/sh\necho '{MISSING_LIBRARY}' >&2\nexit 127\n")
    broken.chmod(0o755)
    monkeypatch.setenv("AUTHLAB_CHROMIUM", str(broken))  # the lab, a child, sees it too
    result = _bench(tmp_path / "results")
    status = _status(result)["security"]
    assert isinstance(status, dict)
    said = f"the browser at {broken} did not start: {MISSING_LIBRARY}"
    assert status["measured"] is False
    assert status["reason"] == said
    assert any(said in warning for warning in result.warnings)
    document = json.loads((result.directory / "security.json").read_text())
    assert document["csrf_browser"] == {"skipped": said}
    assert document["attacks"]  # the forgeries need no browser and were measured
    run = load_run(result.directory)
    by_id = {claim.id: claim for claim in claims(run)}
    assert by_id["sessions-csrf"].label.startswith(f"not measured: {said}; run `make security`")
    assert run.security == document  # the battery and revocation reach the report


def test_a_given_security_file_replaces_the_browser_lab(tmp_path: Path) -> None:
    given = tmp_path / "given.json"
    given.write_text("{}")
    result = _bench(tmp_path / "results", security_file=given)
    status = _status(result)["security"]
    assert status == {"measured": True, "file": str(given), "given": True}
    assert not (result.directory / "raw" / "security").exists()  # the lab did not run


def test_with_chromium_the_report_gets_the_csrf_and_xss_evidence(tmp_path: Path) -> None:
    browser_or_skip("chromium")
    result = _bench(tmp_path)
    status = _status(result)["security"]
    assert isinstance(status, dict)
    assert status["measured"] is True, status
    assert status["all_as_expected"] is True
    document = json.loads((result.directory / "security.json").read_text())
    assert document["quick"] is True
    assert document["environment"]["chromium"]
    # The manifest names the Chromium that ran: its version and where it was found.
    ran = browser_or_skip("chromium")
    manifest = json.loads((result.directory / "manifest.json").read_text())
    assert manifest["browsers"]["chromium"] == {
        "version": document["environment"]["chromium"],
        "path": str(ran.path),
        "found_by": ran.found_by,
    }
    assert status["browser"] == manifest["browsers"]["chromium"]
    csrf = document["csrf_browser"]["results"]
    exploited = {row["configuration"] for row in csrf if row["transfer_happened"]}
    assert "session-none-csrf-off" in exploited  # the weak cookie is shown exploitable
    assert not any(name.startswith("token-header") for name in exploited)
    assert {row["configuration"] for row in document["xss"]} >= {"token-header"}
    # The report finds it in the folder alone (authlab report RUN_DIR).
    assert load_run(result.directory).security == document


def test_ctrl_c_during_the_browser_lab_stops_it_and_everything_it_started(tmp_path: Path) -> None:
    browser_or_skip("chromium")
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
