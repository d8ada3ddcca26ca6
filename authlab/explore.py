"""`authlab explore VARIANT`: one variant started as a benchmark starts it, Locust's web UI on it.

The server comes up exactly as in `authlab bench` (its private Redis, seeded
accounts, the verify step, the same code: authlab.bench.variant_servers and .verify),
then one Locust process with the web UI on a loopback port and every scenario
and shape of loadtests/ to pick from (`--class-picker`). The user changes the
load by hand and watches; Ctrl-C or SIGTERM stops everything started here.
"""

from __future__ import annotations

import ast
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from authlab.bench.phase import LOADTESTS, Phase, Target, locust_env
from authlab.bench.prelogin import PreloginFailed, prelogin, write_credentials
from authlab.bench.profiles import PROFILES, Profile
from authlab.bench.variant_servers import RunningVariant, Workspace, start_variant
from authlab.bench.variants import VARIANTS, Variant
from authlab.bench.verify import VerificationFailed, verify_variant
from authlab.ports import LOCUST_WEB_PORT, PortUnavailable, check_free, free_port
from authlab.processes import ProcessGroup, Tracked, core_plan

LOOPBACK = "127.0.0.1"
DEFAULT_WEB_PORT = LOCUST_WEB_PORT

# The benchmark's quick profile (its account count, its spike), with a step ramp
# slow enough to watch in a browser: the bench's 1.5-second steps pass unseen.
PROFILE: Profile = replace(
    PROFILES["quick"], name="explore", step_seconds=10.0, steps=5, spike_phase_seconds=10.0
)
# Browsing accounts have the bench's cheap hash; the login storm logs in the
# storm accounts, hashed with OWASP's parameters, as in the benchmark.
STORM_PREFIX = "storm"


class ExploreError(Exception):
    """Something the user can act on: said in one line, never as a traceback."""


@dataclass(frozen=True)
class Started:
    """What is running, for the banner."""

    variant: Variant
    server_url: str
    redis_url: str | None
    web_url: str
    logs: Path
    user_classes: tuple[str, ...]
    shape_classes: tuple[str, ...]
    pids: dict[str, int]


def variant_named(name: str | None) -> Variant:
    known = ", ".join(VARIANTS)
    if not name:
        raise ExploreError(f"name a variant to explore, one of: {known}")
    if name not in VARIANTS:
        raise ExploreError(f"unknown variant {name!r}; known: {known}")
    return VARIANTS[name]


def check_port_free(port: int, host: str = LOOPBACK) -> None:
    try:
        check_free(port, host, "--web-port")
    except PortUnavailable as error:
        raise ExploreError(str(error)) from error


def _classes(path: Path, base: str) -> list[str]:
    """The classes a loadtests file defines on a given base, read without importing it
    (importing Locust here would monkey-patch this process with gevent)."""
    tree = ast.parse(path.read_text())
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Name) and b.id == base for b in node.bases)
    ]


def loadtest_files(variant: Variant) -> tuple[list[Path], list[str], list[str]]:
    """Every scenario and shape file, and the classes Locust's picker will offer."""
    scenarios = sorted(p for p in (LOADTESTS / "scenarios").glob("*.py") if p.stem != "__init__")
    # Refreshing is the token servers' alone (the bench's refresh phase is token-only):
    # against a session server that user would only log in again and again.
    if variant.kind != "token":
        scenarios = [p for p in scenarios if p.stem != "refresh"]
    shapes = sorted(p for p in (LOADTESTS / "shapes").glob("*.py") if p.stem != "__init__")
    users = [name for path in scenarios for name in _classes(path, "AuthlabUser")]
    shape_names = [name for path in shapes for name in _classes(path, "LoadTestShape")]
    return [*scenarios, *shapes], users, shape_names


def locust_web_argv(files: list[Path], server_url: str, web_port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        ",".join(str(path) for path in files),
        "--class-picker",
        "--web-host",
        LOOPBACK,
        "--web-port",
        str(web_port),
        "--host",
        server_url,
        "--loglevel",
        "WARNING",
    ]


def verify(running: RunningVariant, workspace: Workspace) -> None:
    target = running.target
    try:
        verify_variant(target.url, target.kind, target.transport, "user000000", workspace.password)
    except (VerificationFailed, OSError, ValueError) as error:
        raise ExploreError(
            f"{target.variant} failed verification, so it is not loaded: {error}"
        ) from error


def prelogged_credentials(running: RunningVariant, workspace: Workspace, count: int) -> Path:
    """Log browsing accounts in now, as the bench does before its GET-only phases, for
    MeOnlyUser (it sends only GET /me with them). Tokens among them expire after the
    server's access lifetime (15 minutes by default)."""
    target = running.target
    accounts = [f"user{number:06d}" for number in range(count)]
    try:
        credentials = prelogin(target.url, target.transport, accounts, workspace.password)
    except (PreloginFailed, OSError) as error:
        raise ExploreError(f"logging the accounts in beforehand failed: {error}") from error
    path = workspace.directory / "credentials.jsonl"
    write_credentials(path, credentials)
    return path


def wait_web_ui(url: str, locust: Tracked, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if locust.process.poll() is not None:
            raise ExploreError(f"Locust exited with {locust.process.returncode}: {_tail(locust)}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise ExploreError(f"Locust's web UI did not answer at {url} within {timeout:.0f}s")


def _tail(tracked: Tracked, lines: int = 5) -> str:
    """The log's last lines, indented under the message (Locust's tables are wide: cut)."""
    if tracked.log is None or not tracked.log.is_file():
        return "(no log)"
    text = tracked.log.read_text(errors="replace").strip().splitlines()[-lines:]
    return "".join(f"\n    {line[:120]}" for line in text) or "(empty log)"


def watch(group: ProcessGroup) -> None:
    """Until Ctrl-C or SIGTERM (a KeyboardInterrupt here); a process that dies meanwhile
    ends the session with its log's last lines rather than leaving a half-working lab."""
    while True:
        for tracked in list(group.tracked):
            if tracked.process.poll() is not None:
                raise ExploreError(
                    f"{tracked.name} exited with {tracked.process.returncode}: {_tail(tracked)}"
                )
        time.sleep(0.5)


def explore(
    variant: Variant,
    web_port: int = DEFAULT_WEB_PORT,
    rate_per_user: float = 10.0,
    on_started: Callable[[Started], None] = lambda started: None,
    say: Callable[[str], None] = lambda line: None,
) -> None:
    """Start, call on_started, and keep running until interrupted; everything is stopped
    on the way out, whichever way that is."""
    if web_port:
        check_port_free(web_port)
    files, user_classes, shape_classes = loadtest_files(variant)
    previous_sigint = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="authlab-explore-") as work,
            ProcessGroup() as group,
        ):
            workspace = Workspace.fresh(Path(work))
            logs = Path(work) / "logs"
            logs.mkdir()
            say(f"seeding {PROFILE.seeded_users} browsing and {PROFILE.seeded_users} storm users")
            workspace.seed(PROFILE.seeded_users)  # as the benchmark: browsing and storm
            say(f"starting {variant.name}")
            running = start_variant(group, variant, workspace, logs)
            locust: Tracked | None = None
            try:
                verify(running, workspace)
                port = web_port or free_port(LOOPBACK)
                phase = Phase("explore", "browse", 0, 0, rate_per_user=rate_per_user)
                credentials = prelogged_credentials(running, workspace, PROFILE.seeded_users)
                env = {
                    **locust_env(running.target, phase, PROFILE, workspace.password, None),
                    "AUTHLAB_STORM_PREFIX": STORM_PREFIX,
                    "AUTHLAB_CREDENTIALS_FILE": str(credentials),
                }
                locust = group.start(
                    "locust",
                    "locust-web",
                    locust_web_argv(files, running.target.url, port),
                    env=env,
                    cpus=core_plan()["locust"],
                    log=logs / "locust.log",
                    # Locust shutting down on the terminal's SIGINT can hang when the
                    # group's own SIGINT follows a moment later: let it hear one only.
                    own_session=True,
                )
                web_url = f"http://{LOOPBACK}:{port}"
                wait_web_ui(web_url, locust)
                on_started(_started(running, web_url, logs, user_classes, shape_classes, locust))
                watch(group)
            finally:
                if locust is not None:
                    group.stop(locust)
                running.stop(group)
    finally:
        signal.signal(signal.SIGINT, previous_sigint)


def _started(
    running: RunningVariant,
    web_url: str,
    logs: Path,
    user_classes: list[str],
    shape_classes: list[str],
    locust: Tracked,
) -> Started:
    target: Target = running.target
    pids = {server.name: server.tracked.pid for server in running.servers}
    if running.redis is not None and running.redis.process is not None:
        pids[f"redis-{running.variant.name}"] = running.redis.process.pid
    pids[locust.name] = locust.pid
    return Started(
        running.variant,
        target.url,
        target.redis_url,
        web_url,
        logs,
        tuple(user_classes),
        tuple(shape_classes),
        pids,
    )


def banner(started: Started, rate_per_user: float) -> list[str]:
    variant = started.variant
    pace = (
        f"each user sends {rate_per_user:g} requests/s (open model)"
        if rate_per_user > 0
        else "each user sends as fast as answers come (closed loop)"
    )
    lines = [
        f"authlab explore: {variant.name} ({variant.description})",
        f"  server    {started.server_url}   verified: every endpoint answers as the contract says",
    ]
    if started.redis_url:
        lines.append(f"  redis     {started.redis_url}   private to this session")
    lines += [
        f"  users     user000000-{PROFILE.seeded_users - 1:06d} (cheap hash, browsing), "
        f"{STORM_PREFIX}000000-{PROFILE.seeded_users - 1:06d} (OWASP's hash, login storm)",
        "            the user accounts also logged in beforehand, for MeOnlyUser",
        f"  locust    {started.web_url}   <- open this; {pace}",
        f"            user classes: {', '.join(started.user_classes)}",
        f"            shapes: {', '.join(started.shape_classes)} (or none: users and rate by hand)",
        "  processes " + ", ".join(f"{name} (pid {pid})" for name, pid in started.pids.items()),
        f"  logs      {started.logs} (removed on exit)",
        "Ctrl-C stops all of it.",
    ]
    return lines
