"""The harness end to end: real servers, real Redis, real Locust, on loopback.

These runs take a minute or so: they are what `make bench` does, shortened.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from tests.authlab.bench.bench_process import start_bench, the_run_dir

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = tmp_path_factory.mktemp("results")
    process = start_bench(results, "--profile", "smoke")
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output
    assert "results: " in output
    return the_run_dir(results)


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
    assert list(resident.columns[:6]) == [
        "sessions", "round", "server_cpu_us_per_request", "p50_us", "p99_us", "requests",
    ]  # fmt: skip
    assert (resident["round"] == 0).all()  # the smoke profile measures one round
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
