"""Instructions per GET /me, counted by callgrind: the lab's server against its plain twin.

CPU seconds per request move with whatever else the machine does (20-30% from
one repetition to the next on a shared 2-core machine); the number of
instructions a request executes does not. Valgrind's callgrind counts them the
same whatever the load, so this is the figure a reader can reproduce exactly.
It counts the server process's own user-space instructions only: not the
kernel's network work and not Redis, so it complements the CPU figure of the
`overhead` experiment and does not replace it.

The server starts under callgrind with counting off (Python's start-up is not
counted), a user logs in, a warm-up fills the caches a server keeps (the token
header verdicts), and only then is counting switched on for a fixed number of
authenticated GET /me on one keep-alive connection.
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from authlab.bench.prelogin import prelogin
from authlab.bench.variant_servers import Workspace, deployed, start_redis, stop_redis
from authlab.bench.variants import Variant
from authlab.fleet import Fleet, ServerFailed, plain_twin_command, serve_command
from authlab.processes import ProcessGroup
from servers.config import Settings

# Enough to average out a request's rare paths (a session touch, a cache refill).
REQUESTS = 200
WARM_UP = 50
# Python starts 20-50x slower under valgrind.
START_TIMEOUT = 180.0


class InstructionsUnavailable(Exception):
    """callgrind cannot run here; the message says why."""


@dataclass(frozen=True)
class InstructionCount:
    variant: str
    authlab: float  # instructions per GET /me
    plain: float

    @property
    def ratio(self) -> float:
        return self.authlab / self.plain

    def row(self) -> dict[str, object]:
        return {
            "variant": self.variant,
            "plain_instructions": round(self.plain),
            "authlab_instructions": round(self.authlab),
            "instruction_ratio": self.ratio,
            "requests": REQUESTS,
        }


def callgrind_tools() -> tuple[str, str]:
    """valgrind and callgrind_control, or InstructionsUnavailable saying what to install."""
    valgrind, control = shutil.which("valgrind"), shutil.which("callgrind_control")
    if valgrind is None or control is None:
        raise InstructionsUnavailable(
            "valgrind is not installed (Debian: apt-get install valgrind), "
            "so instructions per request were not counted"
        )
    return valgrind, control


def measure(
    variants: list[Variant],
    workspace: Workspace,
    directory: Path,
    group: ProcessGroup,
    progress: Callable[[str], None] = lambda what: None,
) -> list[InstructionCount]:
    """Each variant's server and its plain twin in turn, one store per variant."""
    callgrind_tools()
    counts = []
    for variant in variants:
        redis = start_redis(group, f"instructions-{variant.name}") if variant.needs_redis else None
        try:
            redis_url = redis.url if redis else None
            per_request = {}
            for plain in (False, True):
                progress(f"{variant.name}{' twin' if plain else ''} under callgrind")
                per_request[plain] = count(variant, workspace, directory, redis_url, plain, group)
            counts.append(InstructionCount(variant.name, per_request[False], per_request[True]))
        finally:
            if redis is not None:
                stop_redis(group, redis)
    return counts


def count(
    variant: Variant,
    workspace: Workspace,
    directory: Path,
    redis_url: str | None,
    plain: bool,
    group: ProcessGroup,
) -> float:
    """Instructions per authenticated GET /me of one server (or its plain twin)."""
    valgrind, control = callgrind_tools()
    name = f"{variant.name}-{'plain' if plain else 'authlab'}"
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"callgrind.{name}"
    serve = plain_twin_command if plain else serve_command

    def under_callgrind(settings: Settings) -> list[str]:
        # valgrind runs the server in its own process: the pid is the server's.
        return [
            valgrind,
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}.%p",
            *serve(settings),
        ]

    settings = deployed(variant, workspace, redis_url)
    try:
        server = Fleet(group, directory).start(
            name, settings, under_callgrind, timeout=START_TIMEOUT
        )
    except ServerFailed as error:
        raise InstructionsUnavailable(
            f"the server did not start under valgrind: {error}"
        ) from error
    pid = server.tracked.pid
    try:
        (headers,) = prelogin(server.url, variant.transport, ["user000000"], workspace.password)
        connection = http.client.HTTPConnection(settings.host, server.port, timeout=60)
        try:
            _get_me(connection, headers, WARM_UP)
            _control(control, "--instr=on", pid)
            _get_me(connection, headers, REQUESTS)
            _control(control, "--instr=off", pid)
            _control(control, "--dump", pid)
        finally:
            connection.close()
        # The dump is written by the server's own thread, a moment after the request.
        total = _wait_for_dump(directory, f"{out.name}.{pid}")
    finally:
        group.stop(server.tracked, timeout=30)  # and no longer tracked
    return total / REQUESTS


def _wait_for_dump(directory: Path, prefix: str) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        totals = [_total(path) for path in directory.glob(f"{prefix}*")]
        if any(totals):
            return max(totals)
        time.sleep(0.2)
    raise InstructionsUnavailable(f"callgrind wrote no counts to {prefix}*")


def _get_me(connection: http.client.HTTPConnection, headers: dict[str, str], times: int) -> None:
    for _ in range(times):
        connection.request("GET", "/me", headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise InstructionsUnavailable(f"GET /me answered {answer.status}: {body[:200]!r}")


def _control(control: str, action: str, pid: int) -> None:
    subprocess.run([control, action, str(pid)], check=True, capture_output=True, timeout=60)


def _total(dump: Path) -> int:
    """The event total of a callgrind dump: its last line, so 0 until it is complete.

    Callgrind 3.19 writes 'summary: 0' at the head and the count on 'totals:' at
    the end; older versions put it on 'summary:'. The larger of the two is the count.
    """
    try:
        text = dump.read_text(errors="replace")
    except OSError:
        return 0
    return max(
        (
            int(line.split()[1])
            for line in text.splitlines()
            if line.startswith(("summary:", "totals:"))
        ),
        default=0,
    )
