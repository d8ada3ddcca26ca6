"""Helpers for tests that run the real `authlab` CLI as child processes.

Every wait here is a bounded poll: the tests assert what happens, never how fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from authlab.fleet import wait_healthy
from authlab.ports import free_port
from servers.config import CHEAP_ARGON2

# The console script installed next to the interpreter running the tests (.venv/bin).
AUTHLAB = Path(sys.executable).parent / "authlab"
FAST_ARGON2_ARGS = [
    "--argon2-memory-kib",
    str(CHEAP_ARGON2.memory_kib),
    "--argon2-time-cost",
    str(CHEAP_ARGON2.time_cost),
]


def gone(pid: int) -> bool:
    """No such process any more (a zombie counts as gone: it runs nothing)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def wait_gone(pid: int, timeout: float = 10.0) -> bool:
    return wait_until(lambda: gone(pid), timeout)


def child_environment() -> dict[str, str]:
    """The test's environment without anything that would steer the child server."""
    environment = dict(os.environ)
    for name in ("AUTHLAB_SETTINGS", "PROMETHEUS_MULTIPROC_DIR"):
        environment.pop(name, None)
    return environment


def run_cli(
    *args: str, cwd: Path, stdin: str | None = None, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AUTHLAB), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_environment(),
        check=False,
    )


@dataclass
class CliServer:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path
    seen: list[psutil.Process] = field(default_factory=list)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def children(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def redis_children(self) -> list[psutil.Process]:
        return [child for child in self.children() if child.name() == "redis-server"]

    def workers(self) -> list[psutil.Process]:
        """uvicorn's worker processes (multiprocessing spawn children of the CLI)."""
        return [child for child in self.children() if "spawn_main" in " ".join(child.cmdline())]

    def remember_descendants(self) -> None:
        """Note every descendant now, so that cleanup can end them even after the CLI died."""
        self.seen.extend(psutil.Process(self.process.pid).children(recursive=True))

    def private_redis_url(self) -> str:
        """The URL the CLI announced for the redis-server it started."""
        words = self.stderr().split()
        return next(word for word in words if word.startswith("redis://"))

    def stop(self, signum: int, timeout: float = 20.0) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout)


@contextmanager
def cli_server(tmp_path: Path, *args: str) -> Iterator[CliServer]:
    """`authlab serve ARGS` on a free port with its own SQLite file and keys; /health is 200."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    command = [
        str(AUTHLAB),
        "serve",
        *args,
        "--port",
        str(port),
        "--database-url",
        f"sqlite:///{tmp_path / 'users.sqlite3'}",
        "--key-dir",
        str(tmp_path / "keys"),
        *FAST_ARGON2_ARGS,
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT, env=child_environment()
        )
    server = CliServer(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_healthy(server)
        server.remember_descendants()
        yield server
    finally:
        # Only on failure is anything left: end what this test started, by pid.
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for leftover in server.seen:
            if not gone(leftover.pid):
                with suppress(psutil.NoSuchProcess):
                    leftover.kill()


def _wait_healthy(server: CliServer, timeout: float = 60.0) -> None:
    """The fleet's own health wait (authlab.fleet): /health answers from this process."""
    port = int(server.base_url.rsplit(":", 1)[1])
    if not wait_healthy(server.base_url, server.process, port, timeout):
        if server.process.poll() is not None:
            raise AssertionError(f"authlab serve exited early:\n{server.stderr()}")
        raise AssertionError(f"authlab serve never became healthy:\n{server.stderr()}")
