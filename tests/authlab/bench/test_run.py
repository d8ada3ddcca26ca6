"""The harness end to end: real servers, real Redis, real Locust, on loopback.

These runs take a minute or so: they are what `make bench` does, shortened.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from authlab.bench.profiles import get_profile
from authlab.bench.runner import Bench, BenchOptions
from authlab.processes import ProcessGroup

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[3]


def _bench(results: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "authlab", "bench", "--results", str(results), "--no-report", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _run_dir(results: Path) -> Path:
    (run,) = list(results.iterdir())
    return run


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = tmp_path_factory.mktemp("results")
    process = _bench(results, "--profile", "smoke")
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output
    assert "results: " in output
    return _run_dir(results)


def test_smoke_run_writes_every_file(smoke_run: Path) -> None:
    for name in ("manifest.json", "status.json", "phases.csv", "latency.csv", "summary.csv",
                 "wire.csv", "verification.csv", "primitives.csv", "sessions_at_scale.csv",
                 "scale_out.csv", "outage.csv", "overhead.csv", "twin_phases.csv",
                 "resident_sessions.csv", "batches.csv",
                 "raw/process_samples.csv",
                 "raw/redis_samples.csv"):  # fmt: skip
        path = smoke_run / name
        assert path.is_file() and path.stat().st_size > 0, name
    manifest = json.loads((smoke_run / "manifest.json").read_text())
    assert manifest["configuration"]["profile"]["name"] == "smoke"
    # Each experiment's parameters as the run gave them: smoke's own, else the defaults.
    given = manifest["configuration"]["experiment_params"]
    assert given["outage"]["variants"] == ["session-redis", "token-hs256"]
    assert given["scale_out"]["instances"] == 2
    assert manifest["versions"]["pyjwt"] and manifest["versions"]["uvicorn"]
    assert set(manifest["lock"]) == {"matched", "group", "differences", "reason"}
    if os.environ.get("CI"):  # CI installs from the lock alone: nothing may differ from it
        assert manifest["lock"]["matched"] is True, manifest["lock"]["differences"]
    assert json.loads((smoke_run / "status.json").read_text())["interrupted"] is False


def test_smoke_run_measured_every_variant_plausibly(smoke_run: Path) -> None:
    summary = pd.read_csv(smoke_run / "summary.csv").set_index("variant")
    assert set(summary.index) == {"baseline", "session-redis", "token-hs256"}
    assert (summary["max_throughput_rps"] > 10).all()
    assert (summary["errors"] == 0).all()
    assert (summary["server_cpu_us_per_request"] > 0).all()
    # A p99 only where 10 samples lie beyond it; where there is one it tops the median.
    carried = summary.dropna(subset=["p99_us"])
    assert (carried["p50_us"] < carried["p99_us"] + 1).all()
    assert (summary.loc[summary["p99_us"].isna(), "latency_samples"] < 1000).all()
    phases = pd.read_csv(smoke_run / "phases.csv")
    assert (phases["requests_ok"] > 0).all()
    assert (phases.loc[phases["variant"] == "session-redis", "redis_commands"] > 0).all()
    # Every variant was verified before it was loaded.
    assert pd.read_csv(smoke_run / "verification.csv")["ok"].all()


def test_smoke_run_measures_the_credential_alone_and_beside_its_twin(smoke_run: Path) -> None:
    phases = pd.read_csv(smoke_run / "phases.csv")
    alone = phases[phases["phase"].isin(["me-closed", "me-rate"])]
    assert set(alone["variant"]) == {"baseline", "session-redis", "token-hs256"}
    # Only GET /me was sent in those phases: logins happened before them.
    latency = pd.read_csv(smoke_run / "latency.csv")
    requests = set(latency.loc[latency["phase"].isin(["me-closed", "me-rate"]), "request"])
    assert requests == {"GET /me"}
    assert not list(smoke_run.rglob("credentials.jsonl")), "live credentials left in the results"
    twins = pd.read_csv(smoke_run / "twin_phases.csv")
    assert (twins["requests_ok"] > 0).all() and (twins["requests_failed"] == 0).all()
    overhead = pd.read_csv(smoke_run / "overhead.csv").set_index("variant")
    assert set(overhead.index) == {"baseline", "session-redis", "token-hs256"}
    assert (overhead["plain_us"] > 0).all() and (overhead["authlab_us"] > 0).all()
    assert (overhead["ratio"] == overhead["authlab_us"] / overhead["plain_us"]).all()
    summary = pd.read_csv(smoke_run / "summary.csv").set_index("variant")
    assert summary.loc["baseline", "credential_cpu_us"] == 0
    assert summary["mix_server_cpu_us_per_request"].notna().all()


def test_smoke_run_compares_cpu_at_one_offered_rate_in_steady_windows(smoke_run: Path) -> None:
    phases = pd.read_csv(smoke_run / "phases.csv")
    matched = phases[phases["phase"] == "me-rate"]
    status = json.loads((smoke_run / "status.json").read_text())
    offered = status["matched_load"]["offered_rps"]
    # One rate for every variant: half the slowest closed-loop capacity, rounded down.
    assert set(matched["offered_rps"]) == {offered}
    capacity = phases.loc[phases["phase"] == "me-closed", "throughput_rps"].min()
    assert offered <= 0.5 * capacity
    # Counted between the ramp and the stop, every second a batch of batches.csv.
    assert (matched["cpu_window"] == "steady").all()
    assert (matched["window_requests"] < matched["requests_ok"]).all()
    batches = pd.read_csv(smoke_run / "batches.csv")
    counted = batches[batches["phase"] == "me-rate"].groupby("variant")["requests"].sum()
    assert (counted == matched.set_index("variant")["window_requests"]).all()
    summary = pd.read_csv(smoke_run / "summary.csv").set_index("variant")
    assert (summary["offered_rps"] == offered).all()


def test_smoke_run_weighs_the_credential_on_the_wire(smoke_run: Path) -> None:
    wire = pd.read_csv(smoke_run / "wire.csv").set_index(["variant", "request"])
    baseline = wire.loc[("baseline", "GET /me"), "request_bytes"]
    session = wire.loc[("session-redis", "GET /me"), "request_bytes"]
    token = wire.loc[("token-hs256", "GET /me"), "request_bytes"]
    assert baseline < session < token  # a JWT carries its claims, a session id does not


def test_smoke_run_experiments_show_the_known_effects(smoke_run: Path) -> None:
    scale_out = pd.read_csv(smoke_run / "scale_out.csv").set_index("variant")
    # Memory sessions are lost on the other instance; Redis sessions are shared.
    assert scale_out.loc["session-memory", "failure_rate"] > 0.2
    assert scale_out.loc["session-redis", "failure_rate"] == 0
    outage = pd.read_csv(smoke_run / "outage.csv")
    down = outage[outage["store_down"] == 1.0]  # seconds the store was down throughout
    assert not down.empty
    session_down = down[down["variant"] == "session-redis"]
    token_down = down[down["variant"] == "token-hs256"]
    assert session_down["ok"].sum() == 0  # fails closed: nothing authenticated
    assert token_down["failed"].sum() == 0  # the stateless token carries on
    sizes = pd.read_csv(smoke_run / "sessions_at_scale.csv").set_index("store")
    assert sizes.loc["redis", "bytes_per_session"] > 0
    assert sizes.loc["token access (no deny list)", "bytes_total"] == 0
    primitives = pd.read_csv(smoke_run / "primitives.csv")
    assert (primitives.dropna(subset=["us_per_op"])["us_per_op"] > 0).all()


def test_smoke_run_measures_get_me_with_sessions_resident(smoke_run: Path) -> None:
    resident = pd.read_csv(smoke_run / "resident_sessions.csv").set_index("store")
    assert list(resident.columns[:5]) == [
        "sessions", "server_cpu_us_per_request", "p50_us", "p99_us", "requests",
    ]  # fmt: skip
    assert set(resident.index) == {"redis", "memory", "sqlite"}
    assert (resident["sessions"] == 1_000).all()
    assert (resident["requests"] > 0).all() and (resident["failed"] == 0).all()
    assert (resident["server_cpu_us_per_request"] > 0).all()
    carried = resident.dropna(subset=["p99_us"])
    assert (carried["p50_us"] <= carried["p99_us"]).all()
    # Redis's own CPU is there for the Redis store only.
    assert resident.loc["redis", "store_cpu_us_per_request"] > 0
    assert resident[["store_cpu_us_per_request"]].drop(index="redis").isna().all().all()
    # No bench run without the browser lab claims CSRF or XSS evidence.
    security = json.loads((smoke_run / "status.json").read_text())["security"]
    assert security["measured"] is False and security["command"] == "make security"


def test_ctrl_c_stops_every_process_and_keeps_what_was_measured(tmp_path: Path) -> None:
    process = _bench(tmp_path, "--profile", "smoke", "--only", "baseline,session-redis",
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
    children = _descendants(process.pid)
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
    run_dir = _run_dir(tmp_path)
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
    process = _bench(tmp_path, "--profile", "smoke", "--only", "session-bogus")
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "unknown variant" in output and "Traceback" not in output
    assert os.listdir(tmp_path) == []
