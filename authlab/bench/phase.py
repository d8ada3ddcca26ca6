"""Run one Locust phase against one server and measure what it cost."""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import redis

from authlab.bench.derive import GENERATOR_SATURATION
from authlab.bench.prelogin import prelogin, write_credentials
from authlab.bench.sampler import redis_info, tree_usage
from authlab.bench.window import Batch, Tick
from authlab.processes import ProcessGroup, Tracked, core_plan

LOADTESTS = Path(__file__).resolve().parents[2] / "loadtests"


@dataclass(frozen=True)
class Phase:
    """One Locust run against one variant."""

    name: str
    scenario: str  # module in loadtests/scenarios
    seconds: float
    users: int
    rate_per_user: float = 0.0  # 0: as fast as answers come (closed loop)
    shape: str | None = None  # module in loadtests/shapes
    token_only: bool = False
    every_repetition: bool = True  # False: only in the first repetition
    # Which seeded accounts log in: "user" accounts have a cheap hash (browsing
    # measures the credential, not the login), "storm" accounts OWASP's.
    accounts: str = "user"
    # Only these variants run the phase (None: all); keeps the long profiles in budget.
    only_variants: tuple[str, ...] | None = None
    # Log the users in before the phase starts (scenarios that do not log in themselves).
    prelogin: bool = False
    # The run sets the offered rate (users x rate_per_user) to the one matched load of
    # all variants (Profile.matched_load); rate_per_user is then only the fallback.
    matched_rate: bool = False


@dataclass(frozen=True)
class Measured:
    """What one phase gave: its figures (derive.phase_figures), its latency file (None where
    Locust wrote none) and its steady window second by second (what intervals resample)."""

    figures: dict[str, Any]
    hdr: dict[str, Any] | None
    batches: tuple[Batch, ...] = ()


class LoadSettings(Protocol):
    """What a phase's simulated users read beyond the phase itself: the seeded accounts and
    the load shapes' figures (a bench Profile is one; `authlab explore` passes its own)."""

    @property
    def seeded_users(self) -> int: ...
    @property
    def step_users(self) -> int: ...
    @property
    def step_seconds(self) -> float: ...
    @property
    def steps(self) -> int: ...
    @property
    def spike_base_users(self) -> int: ...
    @property
    def spike_users(self) -> int: ...
    @property
    def spike_phase_seconds(self) -> float: ...


@dataclass(frozen=True)
class Target:
    """A server under test: where it listens and what it runs on."""

    variant: str
    kind: str
    transport: str
    url: str
    server: Tracked | None  # None when the server runs elsewhere (--target-url)
    redis_url: str | None
    extra_urls: tuple[str, ...] = ()
    me_path: str = "/me"  # the authenticated GET (a target file may name another)
    # Logs accounts in before a GET-only phase: (url, accounts, password) -> headers each.
    login: Callable[[str, list[str], str], list[dict[str, str]]] | None = None


class Ticker:
    """Reads the server's and its store's CPU just after every whole wall-clock second
    while a phase runs: the steady window (authlab.bench.window) is cut from these."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.ticks: list[Tick] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ticker", daemon=True)

    def _loop(self) -> None:
        client = (
            redis.Redis.from_url(self.target.redis_url, socket_timeout=0.5)
            if self.target.redis_url
            else None
        )
        try:
            while True:
                now = time.time()
                second = math.floor(now) + 1
                if self._stop.wait(second - now):
                    return
                self.ticks.append(self._read(second, client))
        finally:
            if client is not None:
                client.close()

    def _read(self, second: int, client: redis.Redis | None) -> Tick:
        server = tree_usage(self.target.server)[0] if self.target.server else None
        info = None
        if client is not None:
            try:
                info = redis_info(client)
            except redis.RedisError:
                info = None  # a store that does not answer: no store figure this second
        return Tick(
            second,
            server,
            info["cpu_seconds"] if info else None,
            info["total_commands"] if info else None,
        )

    def __enter__(self) -> Ticker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _wait_reaping(process: Any) -> float:
    """Wait for a child and return its own CPU seconds from the kernel (wait4)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return float(usage.ru_utime + usage.ru_stime)


def locust_argv(
    phase: Phase, profile: LoadSettings, url: str, csv_prefix: Path, processes: int
) -> list[str]:
    files = str(LOADTESTS / "scenarios" / f"{phase.scenario}.py")
    if phase.shape:
        files += "," + str(LOADTESTS / "shapes" / f"{phase.shape}.py")
    argv = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        files,
        "--headless",
        "--host",
        url,
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--stop-timeout",
        "2",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    if not phase.shape:
        # Locust takes whole seconds only ("1.5s" is refused).
        seconds = max(1, math.ceil(phase.seconds))
        argv += ["-u", str(phase.users), "-r", str(phase.users), "-t", f"{seconds}s"]
    if processes > 1:
        argv += ["--processes", str(processes)]
    return argv


def locust_env(
    target: Target, phase: Phase, profile: LoadSettings, password: str, hdr_file: Path | None
) -> dict[str, str]:
    """What the simulated users read (loadtests/settings.py and the shapes): one place, so
    `authlab explore` drives a variant with the same users as a benchmark phase."""
    return {
        "AUTHLAB_TRANSPORT": target.transport,
        "AUTHLAB_USERS": str(profile.seeded_users),
        "AUTHLAB_USER_PREFIX": phase.accounts,
        "AUTHLAB_PASSWORD": password,
        "AUTHLAB_RATE_PER_USER": str(phase.rate_per_user),
        "AUTHLAB_HDR_OUT": str(hdr_file) if hdr_file else "",
        "AUTHLAB_TARGETS": ",".join(target.extra_urls),
        "AUTHLAB_ME_PATH": target.me_path,
        "AUTHLAB_STEP_USERS": str(profile.step_users),
        "AUTHLAB_STEP_SECONDS": str(profile.step_seconds),
        "AUTHLAB_STEPS": str(profile.steps),
        "AUTHLAB_BASE_USERS": str(profile.spike_base_users),
        "AUTHLAB_SPIKE_USERS": str(profile.spike_users),
        "AUTHLAB_PHASE_SECONDS": str(profile.spike_phase_seconds),
        "PYTHONPATH": str(LOADTESTS.parent),
    }


def run_phase(
    group: ProcessGroup,
    target: Target,
    phase: Phase,
    profile: LoadSettings,
    directory: Path,
    password: str,
    locust_processes: int = 1,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`extra_env`: extra AUTHLAB_* variables for the scenario (e.g. AUTHLAB_CREDENTIALS_FILE)."""
    directory.mkdir(parents=True, exist_ok=True)
    hdr_file = directory / ("hdr-{pid}.json" if locust_processes > 1 else "hdr.json")
    env = {**locust_env(target, phase, profile, password, hdr_file), **(extra_env or {})}
    if phase.prelogin:
        accounts = [
            f"{phase.accounts}{number % profile.seeded_users:06d}" for number in range(phase.users)
        ]
        credentials = directory / "credentials.jsonl"
        logged_in = (
            target.login(target.url, accounts, password)
            if target.login
            else prelogin(target.url, target.transport, accounts, password)
        )
        write_credentials(credentials, logged_in)
        env["AUTHLAB_CREDENTIALS_FILE"] = str(credentials)
    try:
        return _measure(group, target, phase, profile, directory, env, locust_processes)
    finally:
        # Live credentials have no place in a results folder.
        (directory / "credentials.jsonl").unlink(missing_ok=True)


def _measure(
    group: ProcessGroup,
    target: Target,
    phase: Phase,
    profile: LoadSettings,
    directory: Path,
    env: dict[str, str],
    locust_processes: int,
) -> dict[str, Any]:
    redis_client = redis.Redis.from_url(target.redis_url) if target.redis_url else None
    try:
        server_before = tree_usage(target.server)[0] if target.server else None
        redis_before = redis_info(redis_client) if redis_client else None
        started = time.time()
        with Ticker(target) as ticker:
            locust = group.start(
                "locust",
                f"locust-{phase.name}",
                locust_argv(phase, profile, target.url, directory / "locust", locust_processes),
                env=env,
                cpus=core_plan()["locust"],
                log=directory / "locust.log",
            )
            try:
                locust_cpu = _wait_reaping(locust.process)
            finally:
                if locust in group.tracked:
                    group.tracked.remove(locust)
            await_histograms(directory, locust_processes)
        duration = time.time() - started
        server_after = tree_usage(target.server)[0] if target.server else None
        redis_after = redis_info(redis_client) if redis_client else None
    finally:
        if redis_client is not None:
            redis_client.close()
    row: dict[str, Any] = {
        "variant": target.variant,
        "phase": phase.name,
        "scenario": phase.scenario,
        # What was asked of the generator: the run time (whole seconds, as Locust takes
        # it; none for a shaped phase), the users and, in an open model, the offered rate.
        "planned_s": None if phase.shape else max(1, math.ceil(phase.seconds)),
        "users": None if phase.shape else phase.users,
        "offered_rps": (
            round(phase.users * phase.rate_per_user, 3)
            if phase.rate_per_user and not phase.shape
            else None
        ),
        "started": round(started, 3),
        "duration_s": round(duration, 3),
        "locust_exit": locust.process.returncode,
        "locust_cpu_s": round(locust_cpu, 4),
        "generator_busy": round(locust_cpu / duration / max(1, locust_processes), 4),
    }
    # Refined from the generator's own count of its test window in derive.phase_figures.
    row["generator_saturated"] = row["generator_busy"] > GENERATOR_SATURATION
    if server_before is not None and server_after is not None:
        row["server_cpu_s"] = round(server_after - server_before, 4)
    (directory / "ticks.json").write_text(json.dumps([asdict(t) for t in ticker.ticks]))
    if redis_before and redis_after:
        row["redis_cpu_s"] = round(redis_after["cpu_seconds"] - redis_before["cpu_seconds"], 4)
        row["redis_commands"] = redis_after["total_commands"] - redis_before["total_commands"]
        row["redis_used_memory"] = redis_after["used_memory"]
        row["redis_keys"] = redis_after["keys"]
    return row


def await_histograms(directory: Path, processes: int, timeout: float = 10.0) -> None:
    """Wait until each Locust process that sends requests has written its latency file:
    workers write theirs as they quit, which can be after their master has exited (on a
    busy machine a step phase of 5,810 requests read as "no request was made"). A worker
    that died writes none: after `timeout`, what is there is read. A single Locust process
    writes its own before it exits: nothing to wait for (a failed one would cost the
    timeout)."""
    if processes <= 1:
        return
    deadline = time.monotonic() + timeout
    while len(list(directory.glob("hdr*.json"))) < processes and time.monotonic() < deadline:
        time.sleep(0.05)


def load_ticks(directory: Path) -> list[Tick]:
    """The per-second CPU readings Ticker wrote for a phase (none: an older folder)."""
    path = directory / "ticks.json"
    if not path.is_file():
        return []
    return [Tick(**tick) for tick in json.loads(path.read_text())]


def load_hdr(directory: Path) -> dict[str, Any] | None:
    """The phase's latency file(s); several Locust processes each wrote one."""
    files = sorted(directory.glob("hdr*.json"))
    if not files:
        return None
    if len(files) == 1:
        data: dict[str, Any] = json.loads(files[0].read_text())
        return data
    from results_format.hdr_files import merge_hdr_files

    return merge_hdr_files(files)
