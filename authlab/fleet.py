"""The one way a run starts a lab server: a Settings in, a healthy, tracked process out.

Whoever launches servers (the benchmark, the security lab, explore, flamegraph, the
tests, the topologies to come) describes each one as a Settings and starts it here:
one command line made from the Settings (authlab.settings_argv.serve_argv), one health
wait that survives a port race, one clean-up path (the ProcessGroup stops every server
on a normal end, an error, Ctrl-C or SIGTERM; PR_SET_PDEATHSIG covers a SIGKILLed run).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from authlab.ports import free_port
from authlab.processes import ProcessGroup, Tracked
from authlab.settings_argv import serve_argv
from servers.config import Settings

# A dozen Python processes importing at once on two cores take a while.
START_TIMEOUT = 60.0
# Starts of one server before giving up: a retry only helps a lost port race.
ATTEMPTS = 3

# The process a Settings becomes: `python -m authlab serve ...` unless a caller runs
# another ASGI app over the same Settings (the resident-sessions experiment).
Command = Callable[[Settings], list[str]]
# When a server is up: a GET path and the statuses that mean "ready". The lab's servers
# answer GET /health with 200; a server outside the lab may say so otherwise.
Probe = tuple[str, frozenset[int]]
HEALTH: Probe = ("/health", frozenset({200}))


class ServerFailed(RuntimeError):
    pass


def serve_command(settings: Settings) -> list[str]:
    return [sys.executable, "-m", "authlab", *serve_argv(settings)]


def plain_twin_command(settings: Settings) -> list[str]:
    """The plain twin (servers/plain.py): the yardstick the overhead experiment uses."""
    return [sys.executable, "-m", "authlab", *serve_argv(settings, plain_twin=True)]


@dataclass
class Server:
    """One started server: what it runs (its Settings) and its tracked process."""

    name: str
    settings: Settings
    tracked: Tracked
    command: Command
    env: dict[str, str]
    ready: Probe = HEALTH

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def url(self) -> str:
        """Where the run talks to it: the address it listens on (a topology gives each
        instance its own 127.0.0.x)."""
        host = self.settings.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    @property
    def log(self) -> Path | None:
        return self.tracked.log


def _listens(pid: int, port: int) -> bool:
    """Whether OUR process holds the port: on a busy machine another program may take a
    free port between free_port() and our bind, and answer /health in our place."""
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.Error:
        return False
    return any(
        connection.status == psutil.CONN_LISTEN and connection.laddr.port == port
        for connection in connections
    )


def wait_healthy(
    url: str,
    process: subprocess.Popen[bytes],
    port: int,
    timeout: float = START_TIMEOUT,
    ready: Probe = HEALTH,
) -> bool:
    """Whether the process answers GET /health with 200 (or `ready`'s path with one of its
    statuses) on its own port in time (False as soon as it exits)."""
    path, statuses = ready
    deadline = time.monotonic() + timeout
    # A generous timeout per request: a server under valgrind answers slowly.
    with httpx.Client(base_url=url, timeout=10.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            try:
                if client.get(path).status_code in statuses and _listens(process.pid, port):
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    return False


def _file_name(name: str) -> str:
    return name.replace("@", "_").replace("/", "_")


class Fleet:
    """Start servers from their Settings, wait until each is healthy, stop them with the
    group. Servers of one Fleet start in parallel: launch them all, then wait for each."""

    def __init__(self, group: ProcessGroup, log_dir: Path) -> None:
        self.group = group
        self.log_dir = log_dir

    def launch(
        self,
        name: str,
        settings: Settings,
        command: Command = serve_command,
        env: dict[str, str] | None = None,
        cpus: tuple[int, ...] | None = None,
        ready: Probe = HEALTH,
    ) -> Server:
        """Start the process, not waiting for it; port 0 in settings: a free port."""
        if settings.port == 0:
            settings = settings.replace(port=free_port(settings.host))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        tracked = self.group.start(
            "server",
            name,
            command(settings),
            env=env,
            cpus=cpus,
            log=self.log_dir / f"{_file_name(name)}.log",
            # Ctrl-C in the terminal reaches the run alone, which then stops every server
            # itself (none dies in the middle of what is being measured).
            own_session=True,
        )
        return Server(name, settings, tracked, command, dict(env or {}), ready)

    def wait(self, server: Server, timeout: float = START_TIMEOUT) -> Server:
        """The server once healthy: maybe a new process on another port, when another
        program took its port first. Children it started later (uvicorn workers) are
        pinned like it."""
        for attempt in range(ATTEMPTS):
            if wait_healthy(server.url, server.tracked.process, server.port, timeout, server.ready):
                self.group.pin_tree(server.tracked)
                return server
            self.group.stop(server.tracked)
            if attempt + 1 < ATTEMPTS:
                server = self.launch(
                    server.name,
                    server.settings.replace(port=0),
                    server.command,
                    server.env,
                    server.tracked.cpus,
                    server.ready,
                )
        log = server.log
        tail = log.read_text(errors="replace")[-2000:] if log and log.is_file() else ""
        raise ServerFailed(f"server {server.name} did not start:\n{tail}")

    def start(
        self,
        name: str,
        settings: Settings,
        command: Command = serve_command,
        env: dict[str, str] | None = None,
        cpus: tuple[int, ...] | None = None,
        timeout: float = START_TIMEOUT,
    ) -> Server:
        return self.wait(self.launch(name, settings, command, env, cpus), timeout)
