"""What a GET /me costs with N sessions already resident in the store.

The article says sessions load the server "with an excessive number of users".
For each store (Redis, process memory, SQLite) and each N, a session server
starts with N sessions already in its store (resident_app: filled in bulk at
start-up, the same way for every store), then a short open-model phase of
GET /me only (the me_only scenario), each simulated user carrying the
credential of one of those sessions, logged in before the phase. Each
(store, N) gets a fresh store: a private Redis, a fresh SQLite file, a fresh
process; every store of every N fills side by side, then all are measured in
rounds. Server CPU per request comes from the process's own accounting, Redis's
from its INFO; latency is timed from when each request was due.

Why rounds, side by side: the deciding figure is a ratio, CPU per request with the most
sessions over with the fewest, of two short phases. Measured once each, minutes apart,
it swung from x1.09 to x1.70 between two runs on one machine (the machine's state moved,
not the store); measured one after the other in rounds, the order reversed every other
round, it still ran from x0.77 to x1.58 in memory. Now every cell of a round is
measured at the same time, each at the same offered rate, so that the machine's state
weighs on both ends alike; each round is one repetition of the report's bootstrap
(reports.intervals) and each steady second one batch.
"""

from __future__ import annotations

import asyncio
import functools
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authlab.bench.at_once import at_once
from authlab.bench.experiments import resident_app
from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext
from authlab.bench.phase import Phase, Target
from authlab.bench.sampler import tree_usage
from authlab.bench.variant_servers import Workspace, start_redis, stop_redis
from authlab.bench.window import Batch
from authlab.fleet import Fleet, Server
from authlab.processes import ProcessGroup, core_plan
from authlab.redis_server import PrivateRedis
from servers.config import CHEAP_ARGON2, SessionBackend, Settings

# Report name -> the server's --store.
STORES: dict[str, SessionBackend] = {"redis": "redis", "memory": "memory", "sqlite": "sql"}
# Accounts the active sessions belong to (logged in without a password check,
# so their hash only needs to exist).
ACCOUNTS = 100
COLUMNS = (
    "store", "sessions", "round", "server_cpu_us_per_request", "p50_us", "p99_us", "requests"
)  # fmt: skip


@dataclass(frozen=True)
class ResidentSessionsParams:
    """GET /me with N sessions already in each store, at a fixed rate (users x rate
    requests/s), each user with a session of its own among the N; every (store, N)
    measured once per round, all of a round's at the same time (so the rate is each
    cell's: the server core carries the sum)."""

    counts: tuple[int, ...] = (1_000, 100_000)
    # Long enough for a steady window after the 1 s ramp (authlab.bench.window): at 4 s
    # one or two whole steady seconds, under 3 s none, and the figure includes the ramp.
    seconds: float = 4.0
    users: int = 50
    # 150 requests/s a cell: the six cells of three stores at two counts, side by side,
    # keep the server core about half busy.
    rate_per_user: float = 3.0
    rounds: int = 3
    stores: tuple[str, ...] = tuple(STORES)


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


def result_row(
    cell: Cell, round_: int, figures: dict[str, Any], extra: dict[str, Any]
) -> dict[str, Any]:
    """One row of resident_sessions.csv from a phase's figures (derive.phase_figures)."""
    requests = (figures.get("requests_ok") or 0) + (figures.get("requests_failed") or 0)
    row: dict[str, Any] = {
        "store": cell.store,
        "sessions": cell.sessions,
        "round": round_,
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


def batch_rows(cell: Cell, round_: int, batches: tuple[Batch, ...]) -> list[dict[str, Any]]:
    """resident_batches.csv's rows: a phase's steady seconds, what the growth's interval
    resamples (the Redis commands are the store's own count, not needed here)."""
    return [
        {
            "store": cell.store,
            "sessions": cell.sessions,
            "round": round_,
            **{k: v for k, v in batch.as_row().items() if k != "redis_commands"},
        }
        for batch in batches
    ]


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


@dataclass(frozen=True)
class Measurement:
    """One cell in one round: its row and its steady seconds."""

    row: dict[str, Any]
    batches: list[dict[str, Any]]


def measurements(
    context: ExperimentContext, params: ResidentSessionsParams
) -> Iterator[Measurement]:
    """Yield each (store, N) of each round as soon as its round is measured (Ctrl-C keeps
    the rounds measured).

    Every store of every N is filled side by side, unpinned (filling is not measured and
    may use every core), then pinned like any server and measured side by side, round
    after round (_rounds).
    """
    group = context.group
    template = seed_template(context.workspace)
    phase = Phase(
        "resident-sessions", "me_only", params.seconds, params.users,
        rate_per_user=params.rate_per_user,
    )  # fmt: skip
    fleet = Fleet(group, context.logs)
    every = cells(params.counts, params.stores)
    servers: list[ResidentServer] = []
    try:
        context.say("resident sessions · filling the stores with " + ", ".join(
            f"{count:,}" for count in sorted(params.counts)))  # fmt: skip
        for cell in every:
            servers.append(_start(fleet, context.workspace, template, phase.users, cell))
        # Fewest sessions first: the small fills end while the big ones still run.
        for resident in servers:
            resident.server = fleet.wait(
                resident.server, timeout=fill_timeout(resident.cell.sessions)
            )
            resident.server.tracked.cpus = core_plan()["server"]
            group.pin_tree(resident.server.tracked)
        yield from _rounds(context, servers, phase, params.rounds)
    finally:
        for resident in servers:
            resident.stop(group)


def _rounds(
    context: ExperimentContext, servers: list[ResidentServer], phase: Phase, rounds: int
) -> Iterator[Measurement]:
    """Every cell of a round at the same time (authlab.bench.at_once), round after round:
    the ratio of the most sessions' cost to the fewest's compares two phases of the same
    seconds."""
    for round_ in range(rounds):
        if context.interrupted:
            return
        context.say(
            f"resident sessions · round {round_ + 1}/{rounds} · {len(servers)} servers side by side"
        )
        yield from at_once(
            [functools.partial(_measure, context, server, phase, round_) for server in servers]
        )


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


def _measure(
    context: ExperimentContext, resident: ResidentServer, phase: Phase, round_: int
) -> Measurement:
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
    measured = context.measure_phase(target, phase, cell.label, env, repetition=round_)
    row = result_row(
        cell,
        round_,
        measured.figures,
        {
            "offered_rps": phase.users * phase.rate_per_user,
            "active_sessions": filled["active"],
            "fill_seconds": filled["fill_seconds"],
            "server_rss_bytes": tree_usage(resident.server.tracked)[1],
        },
    )
    return Measurement(row, batch_rows(cell, round_, measured.batches))


def run(context: ExperimentContext, params: ResidentSessionsParams) -> None:
    for measurement in measurements(context, params):
        context.write_table("resident_sessions", measurement.row)
        if measurement.batches:
            context.write_table("resident_batches", *measurement.batches)


EXPERIMENT = Experiment(
    "resident_sessions",
    "a server with N sessions held",
    ("resident_sessions", "resident_batches"),
    ResidentSessionsParams(),
    run,
)
