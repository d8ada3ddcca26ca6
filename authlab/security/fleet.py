"""The lab's servers: one `python -m authlab serve ...` subprocess per configuration.

All share one private Redis (each server's users have names of their own, so
their keys never meet) and each has its own SQLite file and key directory.
Every process is tracked by a ProcessGroup, which stops them all on a normal
end, an error, Ctrl-C or SIGTERM; PR_SET_PDEATHSIG covers a SIGKILLed lab.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from authlab.ports import free_port
from authlab.processes import ProcessGroup, Tracked
from authlab.redis_server import die_with_parent
from authlab.security.configs import LAB_ARGON2, LabConfig, serve_argv
from servers.config import Argon2Params, Settings
from servers.observe import OBSERVE_ENV

START_TIMEOUT = 60.0  # a dozen Python processes importing at once on two cores


class ServerFailed(RuntimeError):
    pass


@dataclass
class LabServer:
    name: str  # unique within a run: the configuration's name, maybe with a suffix
    config: LabConfig
    settings: Settings
    directory: Path
    tracked: Tracked

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def base_url(self) -> str:
        """Where the lab's own HTTP client talks to it."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def browser_url(self) -> str:
        """The app's origin as the browser knows it: a different site from 127.0.0.1."""
        return f"http://localhost:{self.port}"

    @property
    def database_path(self) -> Path:
        return self.directory / "users.sqlite3"

    @property
    def observe_log(self) -> Path:
        return self.directory / "requests.jsonl"

    @property
    def server_log(self) -> Path:
        return self.tracked.log or self.directory / "server.log"

    def user(self, role: str) -> str:
        """A username of this server's own: servers share Redis, and keys name users."""
        return f"{self.name.replace('@', '.')}.{role}"[-64:].lstrip(".-")


class Fleet:
    """Start servers, wait until each answers /health, stop them with the group."""

    def __init__(
        self, group: ProcessGroup, root: Path, redis_url: str, log_dir: Path | None = None
    ) -> None:
        """root: the servers' databases and keys; log_dir: their logs (kept with the results)."""
        self.group = group
        self.root = root
        self.log_dir = log_dir or root
        self.redis_url = redis_url
        self.servers: dict[str, LabServer] = {}

    def _launch(
        self, name: str, config: LabConfig, argon2: Argon2Params, access_ttl: int | None
    ) -> LabServer:
        directory = self.root / name.replace("@", "_")
        directory.mkdir(parents=True, exist_ok=True)
        settings = config.settings(directory, self.redis_url, free_port(), argon2, access_ttl)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name.replace('@', '_')}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "authlab", *serve_argv(settings)],
                env={**os.environ, OBSERVE_ENV: str(directory / "requests.jsonl")},
                stdout=log,
                stderr=subprocess.STDOUT,
                # A session of its own: Ctrl-C in the terminal reaches the lab alone, which
                # then stops every server itself (none dies in the middle of a section).
                start_new_session=True,
                preexec_fn=functools.partial(die_with_parent, os.getpid()),
            )
        tracked = Tracked("server", name, process, None, log_path)
        self.group.tracked.append(tracked)  # the group stops it with the others
        return LabServer(name, config, settings, directory, tracked)

    def start(
        self,
        requests: list[tuple[str, LabConfig, Argon2Params | None, int | None]],
    ) -> list[LabServer]:
        """Start (name, config, argon2 or None for the lab's, access_ttl or None) at once."""
        pending = [
            self._launch(name, config, argon2 or LAB_ARGON2, ttl)
            for name, config, argon2, ttl in requests
        ]
        started = []
        for server in pending:
            for _attempt in range(3):
                if self._wait_ready(server):
                    break
                # Most likely another process took the free port first: try another.
                self.group.stop(server.tracked)
                server = self._launch(
                    server.name, server.config, server.settings.argon2, server.settings.access_ttl
                )
            else:
                tail = server.server_log.read_text(errors="replace")[-2000:]
                raise ServerFailed(f"server {server.name} did not start:\n{tail}")
            self.servers[server.name] = server
            started.append(server)
        return started

    @staticmethod
    def _wait_ready(server: LabServer) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(base_url=server.base_url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if server.tracked.process.poll() is not None:
                    return False
                try:
                    if client.get("/health").status_code == 200 and _listens(server):
                        return True
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        return False


def _listens(server: LabServer) -> bool:
    """Whether OUR process holds the port: on a busy machine another program may take a
    free port between free_port() and our bind, and answer /health in our place."""
    try:
        connections = psutil.Process(server.tracked.pid).net_connections(kind="tcp")
    except psutil.Error:
        return False
    return any(
        connection.status == psutil.CONN_LISTEN and connection.laddr.port == server.port
        for connection in connections
    )
