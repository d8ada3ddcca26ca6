"""`authlab explore` end to end: a real server and Redis, verified, and Locust's web UI driven
through its HTTP API (what the browser page does); then Ctrl-C or SIGTERM, and nothing is left.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import redis

from authlab.bench.variant_servers import RunningVariant, Workspace
from authlab.bench.variants import VARIANTS
from authlab.explore import ExploreError, verify
from authlab.ports import free_port
from tests.authlab.processes import AUTHLAB, child_environment, gone, run_cli, wait_until

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Explore:
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def url(self, label: str) -> str:
        """The URL the banner prints after a label (server, redis, locust)."""
        found = re.search(rf"^\s+{label}\s+(\S+)", self.output, re.MULTILINE)
        assert found, f"no {label} line in:\n{self.output}"
        return found.group(1)

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)


@pytest.fixture
def explore(request: pytest.FixtureRequest) -> Iterator[Explore]:
    """`authlab explore VARIANT --web-port PORT`, in its own process group as a shell runs a
    foreground command, once its banner is out; killed (with all it started) if a test fails."""
    variant = request.param
    process = subprocess.Popen(
        [str(AUTHLAB), "explore", variant, "--web-port", str(free_port())],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=child_environment(),
        start_new_session=True,
    )
    running = Explore(process)
    stdout = process.stdout
    assert stdout is not None
    threading.Thread(target=lambda: running.lines.extend(stdout), daemon=True).start()
    seen: list[psutil.Process] = []
    try:
        started = wait_until(
            lambda: "Ctrl-C stops" in running.output or process.poll() is not None, timeout=180
        )
        assert started and process.poll() is None, f"explore did not start:\n{running.output}"
        seen = running.descendants()
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for leftover in seen:
            if not gone(leftover.pid):
                leftover.kill()


def _stats(web: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(f"{web}/stats/requests", timeout=5).json()
    return data


def _aggregated(stats: dict[str, Any]) -> dict[str, Any]:
    return next(row for row in stats["stats"] if row["name"] == "Aggregated")


@pytest.mark.parametrize("explore", ["session-redis"], indirect=True)
def test_a_verified_variant_under_a_run_started_in_the_web_ui_then_ctrl_c(explore: Explore) -> None:
    server, redis_url, web = explore.url("server"), explore.url("redis"), explore.url("locust")
    for url in (server, web):
        assert url.startswith("http://127.0.0.1:")
    assert "verified" in explore.output
    assert httpx.get(f"{server}/health", timeout=5).status_code == 200
    store = redis.Redis.from_url(redis_url)
    try:
        sessions_before = store.dbsize()

        # The web UI answers, with the lab's scenarios and shapes in its class picker.
        page = httpx.get(web, timeout=5)
        assert page.status_code == 200 and "locust" in page.text.lower()
        for name in ("BrowsingUser", "LoginStormUser", "LogoutChurnUser", "MeOnlyUser", "StepLoad",
                     "SpikeLoad"):  # fmt: skip
            assert name in page.text, name
        assert "RefreshUser" not in page.text  # refreshing is the token servers' alone
        assert _stats(web)["state"] == "ready"

        # What the page's form posts: browsing users, and users that only GET /me with
        # accounts logged in beforehand (as the bench's GET-only phases), for three seconds.
        answer = httpx.post(
            f"{web}/swarm",
            data={
                "user_count": "4",
                "spawn_rate": "4",
                "user_classes": ["BrowsingUser", "MeOnlyUser"],
                "shape_class": "Default",
                "run_time": "3s",
            },
            timeout=10,
        ).json()
        assert answer["success"], answer
        finished = wait_until(
            lambda: _stats(web)["state"] == "stopped" and _aggregated(_stats(web))["num_requests"],
            timeout=60,
        )
        assert finished, _stats(web)
        stats = _stats(web)
        counted = {row["name"]: row["num_requests"] for row in stats["stats"]}
        assert counted["/login"] >= 1 and counted["/me"] > 0 and counted["/transfer"] > 0, counted
        assert set(answer["user_classes"]) == {"BrowsingUser", "MeOnlyUser"}
        assert _aggregated(stats)["num_failures"] == 0, stats
        # Logged-in users left their sessions in the variant's own Redis.
        assert store.dbsize() > sessions_before
    finally:
        store.close()

    # Ctrl-C in a terminal: SIGINT to the whole foreground process group.
    processes = explore.descendants()
    assert {p.name() for p in processes} >= {"redis-server"}
    assert len(processes) >= 3  # redis, the server, Locust
    os.killpg(explore.process.pid, signal.SIGINT)
    assert explore.process.wait(60) == 0, explore.output
    assert wait_until(lambda: all(gone(p.pid) for p in processes), timeout=10), [
        p.pid for p in processes if not gone(p.pid)
    ]
    assert "stopped, and so is everything it started" in explore.output
    assert "Traceback" not in explore.output
    for url in (server, web):
        with pytest.raises(httpx.TransportError):
            httpx.get(url, timeout=2)


@pytest.mark.parametrize("explore", ["token-hs256"], indirect=True)
def test_a_token_variant_offers_refresh_and_sigterm_stops_everything(explore: Explore) -> None:
    web = explore.url("locust")
    page = httpx.get(web, timeout=5).text
    assert "RefreshUser" in page and "LoginStormUser" in page
    processes = explore.descendants()
    assert len(processes) >= 3
    # SIGTERM to authlab alone (a supervisor, `kill`): it stops what it started.
    explore.process.send_signal(signal.SIGTERM)
    assert explore.process.wait(60) == 0, explore.output
    assert wait_until(lambda: all(gone(p.pid) for p in processes), timeout=10)


def test_naming_no_variant_or_an_unknown_one_lists_the_variants(tmp_path: Path) -> None:
    for args in ((), ("session-postgres",)):
        result = run_cli("explore", *args, cwd=tmp_path)
        assert result.returncode == 2, result
        assert "session-redis" in result.stderr and "token-hs256" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout


def test_a_taken_web_port_is_said_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("explore", "session-memory", "--web-port", str(port), cwd=tmp_path)
    assert result.returncode == 2, result
    assert f"port {port} on 127.0.0.1 is taken" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "seeding" not in result.stdout


def test_a_server_that_answers_wrongly_is_not_loaded() -> None:
    """The verify step of the bench: here a server whose /health is a 404."""

    class NotFound(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        variant = VARIANTS["session-memory"]
        running = RunningVariant(variant, [], None, None, remote_url=url)
        with pytest.raises(ExploreError, match=r"session-memory failed verification.*GET /health"):
            verify(running, Workspace(REPO, "sqlite:///unused"))
    finally:
        server.shutdown()
        server.server_close()


def test_the_login_storm_logs_in_its_own_accounts_when_one_locust_runs_every_scenario() -> None:
    probe = (
        "from loadtests.scenarios.login_storm import LoginStormUser;"
        "from loadtests.scenarios.browse import BrowsingUser;"
        "print(LoginStormUser.accounts, BrowsingUser.accounts)"
    )
    environment = {**child_environment(), "PYTHONPATH": str(REPO)}
    for storm, expected in (("storm", "storm None"), (None, "user None")):
        environment.pop("AUTHLAB_STORM_PREFIX", None)
        environment["AUTHLAB_USER_PREFIX"] = "user"
        if storm:
            environment["AUTHLAB_STORM_PREFIX"] = storm
        result = subprocess.run(
            [sys.executable, "-c", probe],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert result.stdout.split()[-2:] == expected.split(), result
