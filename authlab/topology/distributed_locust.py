"""Locust in its distributed mode: a master and workers, separate processes talking over
TCP, the way a user runs it across machines (here, the master on its own loopback
address). The workers run loadtests/scenarios/cloud.py, which writes every answer down.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import loadtests
from authlab.ports import free_port
from authlab.processes import ProcessGroup, Tracked
from authlab.topology import hosts

LOCUSTFILE = Path(loadtests.__file__).parent / "scenarios" / "cloud.py"


@dataclass(frozen=True)
class LoadPlan:
    users: int
    rate_per_user: float  # requests per second per user (open model)
    seconds: float
    workers: int = 2
    mix: str = "browse"  # browse | mixed (loadtests/scenarios/cloud.py)


class DistributedLoad:
    """Start with start(), wait for the first answers with wait_started(), end with wait()."""

    def __init__(
        self,
        group: ProcessGroup,
        directory: Path,
        url: str,
        transport: str,
        password: str,
        accounts: int,
        plan: LoadPlan,
    ) -> None:
        self.group = group
        self.directory = directory
        self.events = directory / "events"
        self.url = url
        self.plan = plan
        self.env = {
            "AUTHLAB_TRANSPORT": transport,
            "AUTHLAB_USERS": str(accounts),
            "AUTHLAB_USER_PREFIX": "user",
            "AUTHLAB_PASSWORD": password,
            "AUTHLAB_RATE_PER_USER": str(plan.rate_per_user),
            "AUTHLAB_CLOUD_MIX": plan.mix,
            "AUTHLAB_CLOUD_EVENTS": str(self.events),
            # Each worker its own accounts: worker i takes i*stride, i*stride+1, ...
            "AUTHLAB_CLOUD_STRIDE": str(max(1, accounts // plan.workers)),
        }
        self.master: Tracked | None = None
        self.workers: list[Tracked] = []
        self.master_address = ""

    def start(self) -> DistributedLoad:
        self.events.mkdir(parents=True, exist_ok=True)
        port = free_port(hosts.LOCUST_MASTER)
        self.master_address = f"{hosts.LOCUST_MASTER}:{port}"
        locust = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--loglevel", "WARNING"]
        self.master = self.group.start(
            "locust",
            "locust-master",
            [
                *locust,
                "--master",
                "--master-bind-host",
                hosts.LOCUST_MASTER,
                "--master-bind-port",
                str(port),
                "--expect-workers",
                str(self.plan.workers),
                "--expect-workers-max-wait",
                "60",
                "--headless",
                "--host",
                self.url,
                "-u",
                str(self.plan.users),
                "-r",
                str(self.plan.users),
                # Locust takes whole seconds only.
                "-t",
                f"{max(1, math.ceil(self.plan.seconds))}s",
                "--stop-timeout",
                "1",
                "--csv",
                str(self.directory / "locust"),
                "--only-summary",
                "--exit-code-on-error",
                "0",
            ],
            env=self.env,
            log=self.directory / "locust-master.log",
            own_session=True,
        )
        for number in range(self.plan.workers):
            self.workers.append(
                self.group.start(
                    "locust",
                    f"locust-worker-{number}",
                    [
                        *locust,
                        "--worker",
                        "--master-host",
                        hosts.LOCUST_MASTER,
                        "--master-port",
                        str(port),
                    ],
                    env=self.env,
                    log=self.directory / f"locust-worker-{number}.log",
                    own_session=True,
                )
            )
        return self

    def wait_started(self, timeout: float = 60.0) -> float:
        """Block until the first answer is written down; its time.time()."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for path in self.events.glob("events-*.jsonl"):
                if path.stat().st_size:
                    return time.time()
            if self.master is not None and self.master.process.poll() is not None:
                break
            time.sleep(0.05)
        log = (self.directory / "locust-master.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"the Locust master and workers sent no request:\n{log}")

    def wait(self, timeout: float = 60.0) -> None:
        """Until the master ended the run and every worker quit."""
        assert self.master is not None
        deadline = time.monotonic() + timeout
        for tracked in [self.master, *self.workers]:
            while tracked.process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            self.group.stop(tracked)

    def describe(self) -> dict[str, object]:
        return {
            "master": self.master_address,
            "workers": self.plan.workers,
            "users": self.plan.users,
            "rate_per_user": self.plan.rate_per_user,
            "mix": self.plan.mix,
        }
