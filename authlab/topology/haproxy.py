"""HAProxy in front of K server instances, configured by the lab.

Two routings: round robin with no stickiness, and sticky by a cookie HAProxy inserts
(SRV), the usual way to pin a browser to the instance that holds its session. HAProxy's
own health checks decide when an instance is out: GET /health every CHECK_INTERVAL, out
after FALL failed checks, back after RISE good ones. The check is a liveness check (any
HTTP answer, 200 or 503): /health answers 503 when the store is down, and a deep check
would take every instance out at once when the one shared store fails.
"""

from __future__ import annotations

import csv
import io
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from authlab.ports import free_port
from authlab.processes import ProcessGroup, Tracked
from authlab.topology import hosts

Routing = Literal["roundrobin", "sticky"]
CHECK_INTERVAL_MS = 200
FALL = 2
RISE = 2


class HAProxyNotFound(RuntimeError):
    """No haproxy binary: the message says how to get one."""


def find_haproxy() -> Path:
    found = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").is_file() else None
    )
    if not found:
        raise HAProxyNotFound(
            "haproxy is not installed: `apt-get install haproxy` (Debian) runs the "
            "balancer experiments"
        )
    return Path(found)


@dataclass(frozen=True)
class Backend:
    name: str  # s0, s1, ...: HAProxy's server name, also the value of its SRV cookie
    host: str
    port: int


def config_text(
    bind: tuple[str, int], backends: list[Backend], routing: Routing, admin_socket: Path
) -> str:
    """The whole haproxy.cfg: one frontend, one backend, the stats socket for the lab."""
    sticky = routing == "sticky"
    servers = "\n".join(
        f"    server {b.name} {b.host}:{b.port} check" + (f" cookie {b.name}" if sticky else "")
        for b in backends
    )
    return f"""global
    maxconn 4096
    stats socket {admin_socket} mode 600 level admin

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    # A request whose instance refuses the connection is sent to another one (what
    # production configurations do); one that was in flight on a killed instance fails.
    retries 2
    option redispatch

frontend authlab
    bind {bind[0]}:{bind[1]}
    default_backend instances

backend instances
    balance roundrobin
{"    cookie SRV insert indirect nocache" if sticky else ""}
    option httpchk GET /health
    http-check expect rstatus ^(200|503)$
    default-server inter {CHECK_INTERVAL_MS}ms fall {FALL} rise {RISE}
{servers}
"""


class Balancer:
    """One haproxy process (tracked by the group) with the configuration written here."""

    def __init__(
        self,
        group: ProcessGroup,
        directory: Path,
        backends: list[Backend],
        routing: Routing,
        host: str = hosts.BALANCER,
    ) -> None:
        self.group = group
        self.directory = directory
        self.backends = backends
        self.routing = routing
        self.host = host
        self.port = 0
        self.tracked: Tracked | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def admin_socket(self) -> Path:
        return self.directory / "haproxy.sock"

    def start(self, timeout: float = 10.0) -> Balancer:
        binary = find_haproxy()
        self.directory.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):  # another process may take the free port first
            self.port = free_port(self.host)
            config = self.directory / "haproxy.cfg"
            config.write_text(
                config_text((self.host, self.port), self.backends, self.routing, self.admin_socket)
            )
            # -db: stay in the foreground, so that the group tracks the real process.
            self.tracked = self.group.start(
                "balancer",
                "haproxy",
                [str(binary), "-db", "-f", str(config)],
                log=self.directory / "haproxy.log",
                own_session=True,
            )
            if self._wait_ready(timeout):
                return self
            self.group.stop(self.tracked)
        log = (self.directory / "haproxy.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"haproxy did not start:\n{log}")

    def _wait_ready(self, timeout: float) -> bool:
        """Listening, and every instance seen up by a health check."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.tracked is None or self.tracked.process.poll() is not None:
                return False
            try:
                states = self.states()
            except OSError:
                states = {}
            if states and all(state == "UP" for state in states.values()):
                return True
            time.sleep(0.05)
        return False

    def states(self) -> dict[str, str]:
        """Each instance's state as HAProxy sees it now (UP, DOWN, UP 1/2, ...)."""
        rows = csv.DictReader(io.StringIO(self.command("show stat").lstrip("# ")))
        return {
            row["svname"]: row["status"]
            for row in rows
            if row["pxname"] == "instances" and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def command(self, line: str) -> str:
        """One command on HAProxy's admin socket, its whole answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(2.0)
            client.connect(str(self.admin_socket))
            client.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := client.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def wait_state(self, backend: str, state: str, timeout: float = 10.0) -> float | None:
        """Wait until HAProxy reports `backend` in `state`: the time.time() it was seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.states().get(backend) == state:
                    return time.time()
            except OSError:
                pass
            time.sleep(0.02)
        return None

    def stop(self) -> None:
        if self.tracked is not None:
            self.group.stop(self.tracked)
            self.tracked = None
