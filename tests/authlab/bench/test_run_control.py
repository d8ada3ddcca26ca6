"""The harness end to end, controlled: Ctrl-C, a Locust master with workers, an error, bad input.

Apart from the smoke run (test_run.py), which `make test` runs alone since its figures are
checked: these assert what happens, not what is measured, so they run beside other tests.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from authlab.bench.profiles import get_profile
from authlab.bench.runner import Bench, BenchOptions
from authlab.processes import ProcessGroup
from tests.authlab.bench.bench_process import descendants_of, start_bench, the_run_dir

pytestmark = pytest.mark.e2e


def test_ctrl_c_stops_every_process_and_keeps_what_was_measured(tmp_path: Path) -> None:
    process = start_bench(tmp_path, "--profile", "smoke", "--only", "baseline,session-redis",
                     "--experiments", "none")  # fmt: skip
    run_dir = None
    deadline = time.monotonic() + 120
    # Wait until the first phase has been measured, then interrupt the next ones.
    while time.monotonic() < deadline:
        runs = list(tmp_path.iterdir())
        if runs and (runs[0] / "phases.csv").exists():
            run_dir = runs[0]
            break
        assert process.poll() is None, process.communicate()[0]
        time.sleep(0.2)
    assert run_dir is not None
    children = descendants_of(process.pid)
    assert any("redis-server" in " ".join(c.cmdline()) for c in children if c.is_running())
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running: {[p.pid for p in alive]}"
    status = json.loads((run_dir / "status.json").read_text())
    assert status["interrupted"] is True
    assert len(pd.read_csv(run_dir / "phases.csv")) >= 1


# What a Locust master with workers changes: users logged in beforehand shared out among the
# workers (me-closed), an open model's rate (me-rate), a shaped phase (step), and one latency
# file per worker, merged. The smoke run has every other phase in one Locust process.
MASTER_PHASES = ("me-closed", "me-rate", "step")


def test_locust_master_with_local_workers(tmp_path: Path) -> None:
    smoke = get_profile("smoke")
    profile = dataclasses.replace(
        smoke, phases=tuple(phase for phase in smoke.phases if phase.name in MASTER_PHASES)
    )
    options = BenchOptions(
        profile=profile,
        only="baseline",
        results_root=tmp_path,
        experiments=(),
        locust_processes=2,
    )
    result = Bench(options).run()
    assert not result.interrupted
    run_dir = the_run_dir(tmp_path)
    phases = pd.read_csv(run_dir / "phases.csv")
    assert set(phases["phase"]) == set(MASTER_PHASES)
    assert (phases["requests_ok"] > 0).all()
    step = run_dir / "raw" / "baseline" / "rep0" / "step"
    assert len(list(step.glob("hdr-*.json"))) == 2  # one histogram file per worker, merged


def test_process_group_stops_everything_after_an_error() -> None:
    pids = []
    with pytest.raises(RuntimeError), ProcessGroup() as group:
        for _ in range(2):
            tracked = group.start(
                "server", "sleeper", [sys.executable, "-c", "import time; time.sleep(60)"]
            )
            pids.append(tracked.pid)
        raise RuntimeError("a phase failed")
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_unknown_variant_is_a_clear_error(tmp_path: Path) -> None:
    process = start_bench(tmp_path, "--profile", "smoke", "--only", "session-bogus")
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "unknown variant" in output and "Traceback" not in output
    assert os.listdir(tmp_path) == []
