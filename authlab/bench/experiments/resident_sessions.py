"""What a GET /me costs with N sessions already resident in the store.

The article says sessions load the server "with an excessive number of users".
For each store (Redis, process memory, SQLite) and each N, a session server
starts with N sessions already in its store (resident_app: filled in bulk at
start-up, the same way for every store), then a short open-model phase of
GET /me only (the me_only scenario), each simulated user carrying the
credential of one of those sessions, logged in before the phase. Each
(store, N) gets a fresh store: a private Redis, a fresh SQLite file, a fresh
process; the three stores of one N fill side by side, then are measured in turn.
Server CPU per request comes from the process's own accounting, Redis's from
its INFO; latency is timed from when each request was due.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authlab.bench.experiments import resident_app
from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext
from authlab.bench.phase import Phase, Target
from authlab.bench.sampler import tree_usage
from authlab.bench.variant_servers import Workspace, start_redis, stop_redis
from authlab.fleet import Fleet, Server
from authlab.processes import ProcessGroup, core_plan
from authlab.redis_server import PrivateRedis
from servers.config import CHEAP_ARGON2, SessionBackend, Settings

# Report name -> the server's --store.
STORES: dict[str, SessionBackend] = {"redis": "redis", "memory": "memory", "sqlite": "sql"}
# Accounts the active sessions belong to (logged in without a password check,
# so their hash only needs to exist).
ACCOUNTS = 100
COLUMNS = ("store", "sessions", "server_cpu_us_per_request", "p50_us", "p99_us", "requests")


@dataclass(frozen=True)
class ResidentSessionsParams:
    """GET /me with N sessions already in each store, at a fixed rate (users x rate
    requests/s), each user with a session of its own among the N."""

    counts: tuple[int, ...] = (1_000, 100_000)
    seconds: float = 4.0
    users: int = 50
    rate_per_user: float = 10.0


@dataclass(frozen=True)
class Cell:
    store: str
    sessions: int

    @property
    def label(self) -> str:
        return f"resident-{self.sessions}"


def cells(counts: tuple[int, ...], stores: tuple[str, ...] = tuple(STORES)) -> list[Cell]:
    """N ascending, every store at each N: a drifting machine weighs on all stores alike."""
    return [Cell(store, count) for count in sorted(counts) for store in stores]


def fill_timeout(sessions: int) -> float:
    """How long a server may take to fill its store (Redis, the slowest: 6-15k sessions/s
    on a busy 2-core machine)."""
    return 60.0 + sessions / 2_000


def result_row(cell: Cell, figures: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """One row of resident_sessions.csv from a phase's figures (derive.phase_figures)."""
    requests = (figures.get("requests_ok") or 0) + (figures.get("requests_failed") or 0)
    row: dict[str, Any] = {
        "store": cell.store,
        "sessions": cell.sessions,
        "server_cpu_us_per_request": _round(figures.get("server_cpu_us_per_request")),
        "p50_us": figures.get("corrected_p50_us"),
        "p99_us": figures.get("corrected_p99_us"),
        "requests": requests,
    }
    if cell.store == "redis":
        row["store_cpu_us_per_request"] = _round(figures.get("redis_cpu_us_per_request"))
    return {
        **row,
        "failed": figures.get("requests_failed"),
        # Throughput well below the offered rate means the latencies include queueing.
        "throughput_rps": _round(figures.get("throughput_rps")),
        "generator_saturated": figures.get("generator_saturated"),
        **extra,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def seed_template(workspace: Workspace) -> Path:
    """A users-only SQLite file that every cell copies: same accounts, no sessions."""
    from authlab.admin import seed_users

    path = workspace.directory / "resident-users.sqlite3"
    if not path.exists():
        settings = Settings(database_url=f"sqlite:///{path}", argon2=CHEAP_ARGON2)
        asyncio.run(seed_users(settings, ACCOUNTS, "user", workspace.password))
    return path


@dataclass
class ResidentServer:
    """One cell's server, its store and its scratch files."""

    cell: Cell
    server: Server
    redis: PrivateRedis | None
    files: tuple[Path, ...]  # database, credentials, fill info

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def credentials(self) -> Path:
        return self.files[1]

    def stop(self, group: ProcessGroup) -> None:
        # A fill does not stop at SIGTERM (uvicorn waits for the start-up to end): past a
        # short grace the server is killed; everything it holds is thrown away anyway.
        group.stop(self.server.tracked, timeout=3)
        if self.redis is not None:
            stop_redis(group, self.redis)
        database = self.files[0]
        for path in (*self.files, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)


def measured_rows(
    context: ExperimentContext, params: ResidentSessionsParams
) -> Iterator[dict[str, Any]]:
    """Yield one row per (store, N) as soon as it is measured (Ctrl-C keeps them).

    The stores of one N are filled side by side, unpinned (filling is not measured
    and may use every core), then pinned like any server and measured one by one.
    """
    group = context.group
    template = seed_template(context.workspace)
    phase = Phase(
        "resident-sessions", "me_only", params.seconds, params.users,
        rate_per_user=params.rate_per_user,
    )  # fmt: skip
    fleet = Fleet(group, context.logs)
    for count in sorted(params.counts):
        context.say(f"resident sessions · filling the stores with {count:,}")
        servers: list[ResidentServer] = []
        try:
            for cell in cells((count,)):
                servers.append(_start(fleet, context.workspace, template, phase.users, cell))
            for resident in servers:
                resident.server = fleet.wait(resident.server, timeout=fill_timeout(count))
                resident.server.tracked.cpus = core_plan()["server"]
                group.pin_tree(resident.server.tracked)
            for resident in servers:
                context.say(f"resident sessions · {resident.cell.store} · {count:,}")
                yield _measure(context, resident, phase)
        finally:
            for resident in servers:
                resident.stop(group)


def _start(
    fleet: Fleet,
    workspace: Workspace,
    template: Path,
    active: int,
    cell: Cell,
) -> ResidentServer:
    name = f"resident-{cell.store}-{cell.sessions}"
    database = workspace.directory / f"{name}.sqlite3"
    # Live credentials stay in the run's scratch directory, never in the results folder.
    credentials = workspace.directory / f"{name}.jsonl"
    info = workspace.directory / f"{name}.json"
    shutil.copyfile(template, database)
    redis = start_redis(fleet.group, name) if cell.store == "redis" else None
    settings = Settings(
        variant="session",
        port=0,
        store=STORES[cell.store],
        database_url=f"sqlite:///{database}",
        redis_url=redis.url if redis else None,
        key_dir=str(workspace.key_dir),
    )
    try:
        server = fleet.launch(
            f"server-{name}",
            settings,
            resident_app.command,
            env={
                resident_app.ENV_SESSIONS: str(cell.sessions),
                resident_app.ENV_ACTIVE: str(active),
                resident_app.ENV_ACCOUNTS: str(ACCOUNTS),
                resident_app.ENV_CREDENTIALS: str(credentials),
                resident_app.ENV_INFO: str(info),
            },
        )
    except BaseException:
        if redis is not None:
            stop_redis(fleet.group, redis)
        raise
    return ResidentServer(cell, server, redis, (database, credentials, info))


def _measure(context: ExperimentContext, resident: ResidentServer, phase: Phase) -> dict[str, Any]:
    cell = resident.cell
    filled = json.loads(resident.files[2].read_text())
    target = Target(
        f"session-{cell.store}",
        "session",
        "cookie",
        resident.url,
        resident.server.tracked,
        resident.redis.url if resident.redis else None,
    )
    env = {"AUTHLAB_CREDENTIALS_FILE": str(resident.credentials)}
    figures, _ = context.measure_phase(target, phase, cell.label, env)
    return result_row(
        cell,
        figures,
        {
            "offered_rps": phase.users * phase.rate_per_user,
            "active_sessions": filled["active"],
            "fill_seconds": filled["fill_seconds"],
            "server_rss_bytes": tree_usage(resident.server.tracked)[1],
        },
    )


def run(context: ExperimentContext, params: ResidentSessionsParams) -> None:
    for row in measured_rows(context, params):
        context.write_table("resident_sessions", row)


EXPERIMENT = Experiment(
    "resident_sessions",
    "a server with N sessions held",
    ("resident_sessions",),
    ResidentSessionsParams(),
    run,
)
