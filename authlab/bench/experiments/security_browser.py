"""The security lab's quick set (forgeries, CSRF and XSS in Chromium, revocation), run by
the benchmark.

So that `make bench` alone gives the report evidence for every claim: the attack
battery for "securely", CSRF and XSS in a real browser, the revocation windows.
It runs the lab through its public command (`authlab security --quick --only
attacks,csrf_browser,xss,revocation`; about 70 s here) as a child process: its
servers, Redis and Chromium stay its own, and its CPU never mixes with a measured
phase (nothing else runs then). The lab's folder goes to raw/security/; its
security.json is copied to the top of the results folder, where the report looks
for it, and the Chromium that ran (version, path) joins the run's manifest. Where
no Chromium is found (authlab/security/discovery.py), nothing runs; where the one
found does not start, the lab measures the rest; either way the outcome says why
and names the command that fills the gap.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext
from authlab.processes import ProcessGroup, Tracked
from authlab.redis_server import die_with_parent
from authlab.results import add_to_manifest

SECTIONS = ("attacks", "csrf_browser", "xss", "revocation")
# What measures the CSRF and XSS claims when the bench could not: the lab (it
# needs Chromium), whose file then goes into this run's report.
FILL_COMMAND = "make security"


def browser_missing() -> str | None:
    """Why no Chromium can be found here (None: one can; discovery.py)."""
    from authlab.security.discovery import browser_missing as missing

    return missing("chromium")


def not_measured(reason: str, run_dir: Path) -> dict[str, Any]:
    """The outcome when the CSRF and XSS claims have no evidence from this run."""
    return {
        "measured": False,
        "sections": list(SECTIONS),
        "reason": reason,
        "command": FILL_COMMAND,
        "then": f"authlab report {run_dir} --security results/<its run-id>/security.json",
    }


def browser_skipped(document: dict[str, Any]) -> str | None:
    """The lab's own word when it ran without a browser (Chromium found but it did not
    start, say): its CSRF section holds {"skipped": why}."""
    section = document.get("csrf_browser")
    if isinstance(section, dict) and "skipped" in section:
        return str(section["skipped"])
    return None


def _start(group: ProcessGroup, argv: list[str], log: Path) -> Tracked:
    """The lab in a session of its own: a terminal's Ctrl-C reaches the bench only, which
    passes exactly one SIGINT on (a second one would interrupt the lab's clean-up)."""
    with open(log, "ab") as handle:
        process = subprocess.Popen(
            argv,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Killed with the bench even if the bench is killed outright.
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
        )
    tracked = Tracked("security", "security-browser", process, None, log)
    group.tracked.append(tracked)
    return tracked


def run_lab(group: ProcessGroup, run_dir: Path, logs: Path) -> dict[str, Any]:
    """Run the browser quick set; return what status.json records about it."""
    reason = browser_missing()
    if reason:
        return not_measured(reason, run_dir)
    out = run_dir / "raw" / "security"
    # Chromium only: Firefox too would double the time `standard` has no room for
    # (`make security` runs both).
    argv = [sys.executable, "-m", "authlab", "security", "--quick", "--only", ",".join(SECTIONS),
            "--browsers", "chromium"]  # fmt: skip
    started = time.monotonic()
    lab = _start(group, [*argv, "--out", str(out)], logs / "security-browser.log")
    try:
        code = lab.process.wait()
    except KeyboardInterrupt:
        # The lab unwinds on one SIGINT (its servers, Redis, Chromium); SIGTERM would
        # kill it before its clean-up.
        lab.process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            lab.process.wait(30)
        raise
    finally:
        group.stop(lab)
    seconds = round(time.monotonic() - started, 1)
    found = sorted(out.glob("*/security.json"))
    if not found:
        return not_measured(
            f"the security lab exited {code} without results (raw/logs/security-browser.log)",
            run_dir,
        )
    shutil.copyfile(found[-1], run_dir / "security.json")
    document = json.loads(found[-1].read_text())
    executables = (document.get("environment") or {}).get("browser_executables") or {}
    add_to_manifest(run_dir, "browsers", executables)
    skipped = browser_skipped(document)
    if skipped:
        # The forgeries and revocation windows were measured and stay in the report.
        return not_measured(skipped, run_dir) | {"file": "security.json", "seconds": seconds}
    return {
        "measured": True,
        "browser": executables.get("chromium"),
        "sections": list(SECTIONS),
        "quick": True,
        "file": "security.json",
        "lab_folder": str(found[-1].parent.relative_to(run_dir)),
        "seconds": seconds,
        # 1: the lab ran, but something was not as expected (its matrix says what).
        "all_as_expected": code == 0,
        "command": " ".join(["authlab", *argv[3:]]),
    }


@dataclass(frozen=True)
class SecurityBrowserParams:
    """None: the quick set is fixed (SECTIONS), so its evidence means the same every run."""


def run(context: ExperimentContext, params: SecurityBrowserParams) -> None:
    status = run_lab(context.group, context.directory, context.logs)
    context.record_security(status)
    if not status["measured"]:
        context.warn(
            f"CSRF and XSS not measured: {status['reason']}. "
            f"`{status['command']}`, then `{status['then']}`, fills the gap "
            "without running the bench again"
        )
    elif not status["all_as_expected"]:
        context.warn(
            "the security lab found something not as expected: see "
            f"{status['lab_folder']} and raw/logs/security-browser.log"
        )


EXPERIMENT = Experiment(
    "security_browser",
    "the security lab's CSRF and XSS in Chromium",
    (),
    SecurityBrowserParams(),
    run,
    by_default=False,
)
