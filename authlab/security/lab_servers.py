"""The lab's servers: one `python -m authlab serve ...` subprocess per configuration.

All share one private Redis (each server's users have names of their own, so
their keys never meet) and each has its own SQLite file and key directory.
They are started by the one fleet (authlab.fleet): its health wait survives a port
race, and its ProcessGroup stops them all on a normal end, an error, Ctrl-C or
SIGTERM; PR_SET_PDEATHSIG covers a SIGKILLed lab.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from authlab import fleet
from authlab.fleet import ServerFailed
from authlab.processes import ProcessGroup, Tracked
from authlab.security.configs import LabConfig
from servers.config import Settings
from servers.observe import OBSERVE_ENV

__all__ = ["Fleet", "LabServer", "ServerFailed"]


@dataclass
class LabServer:
    name: str  # unique within a run: the configuration's name, maybe with a suffix
    config: LabConfig
    server: fleet.Server
    directory: Path

    @property
    def settings(self) -> Settings:
        return self.server.settings

    @property
    def tracked(self) -> Tracked:
        return self.server.tracked

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def base_url(self) -> str:
        """Where the lab's own HTTP client talks to it."""
        return self.server.url

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
    """The lab's configurations on the one fleet, each with its own directory."""

    def __init__(
        self, group: ProcessGroup, root: Path, redis_url: str, log_dir: Path | None = None
    ) -> None:
        """root: the servers' databases and keys; log_dir: their logs (kept with the results)."""
        self.group = group
        self.root = root
        self.redis_url = redis_url
        self.fleet = fleet.Fleet(group, log_dir or root)
        self.servers: dict[str, LabServer] = {}

    def start(self, configs: list[LabConfig]) -> list[LabServer]:
        """Start every configuration at once, then wait for each (its name names it)."""
        pending = []
        for config in configs:
            directory = self.root / config.name.replace("@", "_")
            directory.mkdir(parents=True, exist_ok=True)
            server = self.fleet.launch(
                config.name,
                config.deploy(directory, self.redis_url),
                env={OBSERVE_ENV: str(directory / "requests.jsonl")},
            )
            pending.append(LabServer(config.name, config, server, directory))
        for lab_server in pending:
            lab_server.server = self.fleet.wait(lab_server.server)
            self.servers[lab_server.name] = lab_server
        return pending
