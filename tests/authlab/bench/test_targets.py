"""Targets end to end: a broken one is refused by verification; the Node pair is benched.

The Node run starts the three Express servers of stacks/node (baseline, session, token;
installed with `npm ci`, as .ci/run does) on scratch PostgreSQL databases, verifies them,
loads them in the GET-only phases and draws the report's cross-runtime table: about 40 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from reports import fmt
from tests.conftest import POSTGRES_URL, service_missing

REPO = Path(__file__).resolve().parents[3]
NODE = REPO / "stacks" / "node"
BROKEN = Path(__file__).resolve().parent / "broken_target" / "broken.toml"


def _bench(results: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "authlab", "bench", "--results", str(results), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "AUTHLAB_POSTGRES_URL": POSTGRES_URL},
        check=False,
    )


def _run_dir(results: Path) -> Path:
    (run,) = list(results.iterdir())
    return run


@pytest.mark.e2e
def test_a_target_that_lets_anyone_in_is_refused_and_not_loaded(tmp_path: Path) -> None:
    done = _bench(
        tmp_path, "--profile", "smoke", "--only", "none", "--target", str(BROKEN),
        "--experiments", "none", "--no-report",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    run = _run_dir(tmp_path)
    verification = pd.read_csv(run / "verification.csv")
    row = verification.set_index("variant").loc["broken-token"]
    assert not bool(row["ok"])
    assert "GET /me without a credential: expected 401, got 200" in row["detail"]
    assert not (run / "phases.csv").exists()  # nothing was loaded
    warnings = json.loads((run / "status.json").read_text())["warnings"]
    assert any("broken-token failed verification" in w for w in warnings)
    manifest = json.loads((run / "manifest.json").read_text())
    (described,) = manifest["configuration"]["variants"]
    assert described["runtime"] == "python-stdlib" and described["target"]["file"]


def test_a_target_file_with_a_mistake_stops_the_bench_with_the_reason(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(BROKEN.read_text().replace('send = "bearer"', 'send = "pigeon"'))
    done = _bench(tmp_path / "results", "--only", "none", "--target", str(wrong))
    assert done.returncode == 2
    assert f"{wrong}: send: 'pigeon' is not one of cookie, bearer" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "results").exists() or not list((tmp_path / "results").iterdir())


def _node_ready() -> None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        service_missing(f"{' and '.join(missing)} not on PATH: the Node targets cannot run")
    if not (NODE / "node_modules" / ".package-lock.json").is_file():
        service_missing("stacks/node is not installed: run `npm ci` there (.ci/run does)")
    import asyncpg

    async def reach() -> None:
        connection = await asyncpg.connect(POSTGRES_URL, timeout=3)
        await connection.close()

    try:
        asyncio.run(reach())
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        service_missing(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}")


@pytest.mark.e2e
@pytest.mark.postgres
def test_the_node_pair_is_verified_loaded_and_compared(tmp_path: Path) -> None:
    _node_ready()
    done = _bench(
        tmp_path, "--profile", "smoke", "--only", "none",
        "--target", str(NODE / "baseline.toml"), "--target", str(NODE / "session.toml"),
        "--target", str(NODE / "token.toml"),
        "--experiments", "none",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    run = _run_dir(tmp_path)
    verification = pd.read_csv(run / "verification.csv").set_index("variant")
    assert verification.loc["node-session", "ok"], verification.to_dict()
    assert verification.loc["node-token", "ok"], verification.to_dict()
    # What logout did, as each file declares: the session ends, the JWT outlives it.
    assert verification.loc["node-session", "logout_observed"] == "refused at once"
    assert verification.loc["node-token", "logout_observed"].startswith("accepted")
    phases = pd.read_csv(run / "phases.csv")
    closed = phases[phases["phase"] == "me-closed"].set_index("variant")
    for name in ("node-session", "node-token"):
        assert closed.loc[name, "requests_ok"] > 0
        assert closed.loc[name, "requests_failed"] == 0
        assert closed.loc[name, "server_cpu_us_per_request"] > 0  # the lab owns its process
    # The session keeps its state in the private Redis the lab gave it; the token none.
    assert closed.loc["node-session", "redis_commands_per_request"] >= 1
    assert pd.isna(closed.loc["node-token"].get("redis_commands_per_request"))
    assert set(phases["phase"]) == {"me-closed", "me-rate"}
    across = pd.read_csv(run / "report" / "runtimes.csv").set_index("runtime")
    assert across.loc["node", "pair"] == "node-session / node-token"
    assert across.loc["node", "ratio"].startswith(fmt.TIMES)
    # Each check's cost on Node: a server's CPU minus node-baseline's, never Python's floor.
    summary = pd.read_csv(run / "summary.csv").set_index("variant")
    assert summary.loc["node-baseline", "credential_cpu_us"] == 0
    assert across.loc["node", "session_check"].endswith("µs")
    page = (run / "report" / "index.html").read_text()
    assert 'id="runtimes-table"' in page and "not measured for this target" in page


@pytest.mark.e2e
def test_a_running_target_is_loaded_and_its_pid_counted(tmp_path: Path) -> None:
    from authlab.ports import free_port

    port = free_port("127.0.0.1")
    server = subprocess.Popen(
        [sys.executable, str(BROKEN.parent / "server.py"), str(port), "checked"]
    )
    try:
        target = tmp_path / "running.toml"
        target.write_text(
            BROKEN.read_text()
            .replace('name = "broken-token"', 'name = "running-token"')
            .replace('command = ["python3", "server.py", "{port}"]', "")
            .replace("[start]", f'[running]\nurl = "http://127.0.0.1:{port}"\npid = {server.pid}')
        )
        done = _bench(
            tmp_path / "results", "--profile", "smoke", "--only", "none", "--target", str(target),
            "--experiments", "none", "--no-report",
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        run = _run_dir(tmp_path / "results")
        assert bool(pd.read_csv(run / "verification.csv").iloc[0]["ok"])
        phases = pd.read_csv(run / "phases.csv").set_index("phase")
        assert phases.loc["me-closed", "requests_ok"] > 0
        assert phases.loc["me-closed", "server_cpu_us_per_request"] > 0  # the adopted pid's
        assert server.poll() is None  # the run did not stop what it did not start
    finally:
        server.terminate()
        server.wait()
