"""The resident-sessions experiment: a store filled before the server answers, over real parts.

The lab-only server (resident_app) is started as the benchmark starts it, a real
process on a loopback port, with each real store: a real Redis, a real SQLite
file, and the process's own memory. The whole experiment runs in the smoke run
(test_run.py); these tests check its parts on their own.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import psutil
import pytest
import redis

from authlab.admin import seed_users
from authlab.bench.experiments import resident_app, resident_sessions
from authlab.bench.experiments.resident_sessions import (
    COLUMNS,
    STORES,
    Cell,
    batch_rows,
    cells,
    fill_timeout,
    result_row,
)
from authlab.bench.window import Batch
from authlab.fleet import wait_healthy
from authlab.ports import free_port
from authlab.processes import ProcessGroup, Tracked
from servers.config import Settings
from servers.context import open_context
from tests.authlab.bench.fake_context import FakeContext
from tests.conftest import FAST_ARGON2

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[3]
SESSIONS = 2_500  # more than one bulk batch (2,000): the batches add up to N
ACTIVE = 20


def test_cells_go_up_in_n_with_every_store_at_each() -> None:
    order = [(c.store, c.sessions) for c in cells((100_000, 1_000))]
    assert order == [
        ("redis", 1_000), ("memory", 1_000), ("sqlite", 1_000),
        ("redis", 100_000), ("memory", 100_000), ("sqlite", 100_000),
    ]  # fmt: skip


def test_every_cell_of_a_round_is_measured_at_the_same_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = cells((1_000, 100_000), ("redis", "memory"))
    servers = [SimpleNamespace(cell=cell) for cell in every]
    # Every cell's phase must be running before any ends: one after the other, the first
    # would wait here in vain.
    together = threading.Barrier(len(every), timeout=10)
    measured: list[tuple[int, Cell]] = []

    def measure(context: object, server: Any, phase: object, round_: int) -> Any:
        together.wait()
        measured.append((round_, server.cell))
        return server.cell

    monkeypatch.setattr(resident_sessions, "_measure", measure)
    context = FakeContext(tmp_path)
    got = list(resident_sessions._rounds(context, servers, None, 3))  # type: ignore[arg-type]
    assert got == every * 3  # each round's cells, in order
    for round_ in range(3):
        assert {cell for r, cell in measured if r == round_} == set(every)
    assert len(context.said) == 3


def test_batch_rows_name_the_cell_and_round_of_each_steady_second() -> None:
    batches = (
        Batch(100, 1, 498, 0.14, 0.015, 510),
        Batch(101, 1, 502, 0.13, 0.016, 505),
    )
    rows = batch_rows(Cell("redis", 100_000), 1, batches)
    assert rows == [
        {"store": "redis", "sessions": 100_000, "round": 1, "second": 100, "seconds": 1,
         "requests": 498, "server_cpu_s": 0.14, "redis_cpu_s": 0.015},
        {"store": "redis", "sessions": 100_000, "round": 1, "second": 101, "seconds": 1,
         "requests": 502, "server_cpu_s": 0.13, "redis_cpu_s": 0.016},
    ]  # fmt: skip


def test_fill_timeout_grows_with_the_store() -> None:
    assert fill_timeout(1_000_000) > fill_timeout(1_000) >= 60


def test_result_row_has_the_columns_and_store_cpu_only_for_redis() -> None:
    figures = {
        "requests_ok": 990,
        "requests_failed": 10,
        "server_cpu_us_per_request": 251.26,
        "redis_cpu_us_per_request": 30.04,
        "corrected_p50_us": 900,
        "corrected_p99_us": 4000,
        "throughput_rps": 498.04,
    }
    redis_row = result_row(Cell("redis", 1000), 2, figures, {"fill_seconds": 0.1})
    assert list(redis_row)[: len(COLUMNS)] == list(COLUMNS)
    assert redis_row["requests"] == 1000
    assert redis_row["round"] == 2
    assert redis_row["server_cpu_us_per_request"] == 251.3
    assert redis_row["store_cpu_us_per_request"] == 30.0
    assert redis_row["fill_seconds"] == 0.1
    assert redis_row["throughput_rps"] == 498.0
    memory_row = result_row(Cell("memory", 1000), 0, figures, {})
    assert "store_cpu_us_per_request" not in memory_row
    assert memory_row["p99_us"] == 4000


def _seeded(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    asyncio.run(seed_users(Settings(database_url=url, argon2=FAST_ARGON2), 5, "user", "pw"))
    return url


def test_preload_fills_the_memory_store_in_process(tmp_path: Path) -> None:
    settings = Settings(
        variant="session", store="memory", database_url=_seeded(tmp_path),
        key_dir=str(tmp_path / "keys"),
    )  # fmt: skip

    async def run() -> tuple[int, dict[str, object]]:
        context = await open_context(settings)
        try:
            done = await resident_app.preload(context, SESSIONS, ACTIVE, accounts=5)
            return await context.strategy.store.count(), done  # type: ignore[attr-defined]
        finally:
            await context.close()

    count, done = asyncio.run(run())
    assert count == SESSIONS  # the active logins are part of N, not on top of it
    assert done["sessions"] == SESSIONS and done["active"] == ACTIVE
    headers = done["headers"]
    assert isinstance(headers, list) and len(headers) == ACTIVE
    assert all(h["Cookie"].startswith("sid=") for h in headers)


@pytest.fixture
def group() -> Iterator[ProcessGroup]:
    with ProcessGroup() as processes:
        yield processes


@pytest.mark.parametrize("store", list(STORES))
def test_resident_server_answers_with_n_sessions_in_its_store(
    store: str, tmp_path: Path, group: ProcessGroup, redis_url: str, redis_prefix: str
) -> None:
    port = free_port()
    database = tmp_path / "users.sqlite3"
    settings = Settings(
        variant="session",
        port=port,
        store=STORES[store],
        database_url=_seeded(tmp_path),
        redis_url=redis_url if store == "redis" else None,
        redis_prefix=redis_prefix,
        key_dir=str(tmp_path / "keys"),
    )
    credentials = tmp_path / "credentials.jsonl"
    server = group.start(
        "server",
        f"resident-{store}",
        [sys.executable, "-m", "authlab.bench.experiments.resident_app", settings.to_json()],
        env={
            resident_app.ENV_SESSIONS: str(SESSIONS),
            resident_app.ENV_ACTIVE: str(ACTIVE),
            resident_app.ENV_ACCOUNTS: "5",
            resident_app.ENV_CREDENTIALS: str(credentials),
            resident_app.ENV_INFO: str(tmp_path / "info.json"),
        },
        log=tmp_path / "server.log",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _check_server(store, url, server, tmp_path, credentials, database, redis_url, redis_prefix)
    finally:
        group.stop(server)
        if store == "redis":  # a test's keys do not outlive it in a shared Redis
            client = redis.Redis.from_url(redis_url)
            try:
                for key in client.scan_iter(match=f"{redis_prefix}*", count=1000):
                    client.unlink(key)
            finally:
                client.close()


def _check_server(
    store: str,
    url: str,
    server: Tracked,
    tmp_path: Path,
    credentials: Path,
    database: Path,
    redis_url: str,
    redis_prefix: str,
) -> None:
    if not wait_healthy(url, server.process, int(url.rsplit(":", 1)[1]), timeout=60):
        pytest.fail((tmp_path / "server.log").read_text())
    info = json.loads((tmp_path / "info.json").read_text())
    assert info["sessions"] == SESSIONS and info["active"] == ACTIVE and info["fill_seconds"] > 0
    # One credential a line, as the me_only scenario reads AUTHLAB_CREDENTIALS_FILE.
    lines = [json.loads(line) for line in credentials.read_text().splitlines()]
    assert len(lines) == ACTIVE
    # Every credential handed out is a live session the server accepts ...
    with httpx.Client(base_url=url) as http:
        for headers in lines:
            response = http.get("/me", headers=headers)
            assert response.status_code == 200, response.text
        # ... and a forged one is still refused.
        assert http.get("/me", headers={"Cookie": "sid=forged"}).status_code == 401
    # The store holds N sessions (memory: counted in process by the test above).
    if store == "redis":
        client = redis.Redis.from_url(redis_url)
        try:
            keys = sum(1 for _ in client.scan_iter(match=f"{redis_prefix}session:*", count=1000))
        finally:
            client.close()
        assert keys == SESSIONS
    if store == "sqlite":
        with sqlite3.connect(database) as connection:
            (rows,) = connection.execute("SELECT COUNT(*) FROM sessions").fetchone()
        assert rows == SESSIONS


def test_ctrl_c_while_the_stores_fill_stops_every_process(tmp_path: Path) -> None:
    """A run interrupted mid-fill (10^6 sessions take minutes) leaves nothing behind."""
    script = (
        "import dataclasses, sys; from pathlib import Path; "
        "from authlab.bench.experiments.resident_sessions import ResidentSessionsParams; "
        "from authlab.bench.profiles import get_profile; "
        "from authlab.bench.runner import Bench, BenchOptions; "
        "profile = dataclasses.replace(get_profile('smoke'), phases=(), params={"
        "'resident_sessions': ResidentSessionsParams(counts=(1_000_000,))}); "
        f"result = Bench(BenchOptions(profile=profile, only='baseline', results_root=Path("
        f"{str(tmp_path)!r}), experiments=('resident_sessions',))).run(); "
        "sys.exit(130 if result.interrupted else 0)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    filling: list[psutil.Process] = []
    while time.monotonic() < deadline and len(filling) < 3:
        assert process.poll() is None, process.communicate()[0]
        children = psutil.Process(process.pid).children(recursive=True)
        filling = [c for c in children if "resident_app" in " ".join(_cmdline(c))]
        time.sleep(0.2)
    assert len(filling) == 3, "the three resident servers never started"
    time.sleep(1)  # into the fill
    children = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    _gone, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, f"left running: {[(p.pid, _cmdline(p)) for p in alive]}"
    (run_dir,) = list(tmp_path.iterdir())
    assert json.loads((run_dir / "status.json").read_text())["interrupted"] is True


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []
