"""Start the server of one variant (and its private Redis) for a benchmark run."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from authlab.bench.phase import Target
from authlab.bench.variants import Variant
from authlab.fleet import Fleet, Server
from authlab.processes import ProcessGroup, Tracked, core_plan
from authlab.redis_server import PrivateRedis
from servers.config import CHEAP_ARGON2, Argon2Params, Settings

# The accounts that browse have the cheap hash (CHEAP_ARGON2); login storms use OWASP's.


@dataclass
class Workspace:
    """Files a run shares between its servers (kept out of the results folder)."""

    directory: Path
    database_url: str
    password: str = "authlab-load-password"

    @classmethod
    def fresh(cls, directory: Path) -> Workspace:
        """A workspace whose user store is a new SQLite file in directory."""
        return cls(directory, f"sqlite:///{directory / 'users.sqlite3'}")

    @property
    def key_dir(self) -> Path:
        return self.directory / "keys"

    def seed(self, count: int, storm: bool = True) -> None:
        """Accounts user000000.. with the cheap hash and, with storm, storm000000.. with
        OWASP's (the login-storm phase): the accounts every load of the lab logs in as."""
        from authlab.admin import seed_users

        kinds = [("user", CHEAP_ARGON2)] + ([("storm", Argon2Params())] if storm else [])
        for prefix, params in kinds:
            settings = Settings(database_url=self.database_url, argon2=params)
            asyncio.run(seed_users(settings, count, prefix, self.password))


@dataclass
class RunningVariant:
    variant: Variant
    servers: list[Server]
    redis: PrivateRedis | None
    redis_url: str | None
    fleet: Fleet | None = None  # None when the server runs elsewhere (--target-url)
    remote_url: str | None = None
    # A process the run did not start whose CPU it counts (a target file's [running] pid).
    adopted: Tracked | None = None

    @property
    def target(self) -> Target:
        """Where the load goes: the servers' URLs as they are now (after a port race)."""
        urls = [server.url for server in self.servers] or [str(self.remote_url)]
        return Target(
            self.variant.name,
            self.variant.kind,
            self.variant.transport,
            urls[0],
            self.servers[0].tracked if self.servers else self.adopted,
            self.redis_url,
            tuple(urls) if len(urls) > 1 else (),
            me_path=self.variant.me_path,
            login=self.variant.prelogin,
        )

    def stop(self, group: ProcessGroup) -> None:
        for server in self.servers:
            group.stop(server.tracked)
        if self.redis is not None:
            stop_redis(group, self.redis)


def start_redis(group: ProcessGroup, name: str) -> PrivateRedis:
    """A private Redis, pinned like the server and tracked for sampling and clean-up."""
    redis = PrivateRedis().start()
    assert redis.process is not None
    cpus = core_plan()["redis"]
    if cpus:
        os.sched_setaffinity(redis.process.pid, cpus)
    group.tracked.append(Tracked("redis", f"redis-{name}", redis.process, cpus))
    return redis


def stop_redis(group: ProcessGroup, redis: PrivateRedis) -> None:
    """Stop a Redis from start_redis: PrivateRedis stops it (and removes its directory)."""
    group.tracked[:] = [t for t in group.tracked if t.process is not redis.process]
    redis.stop()


def deployed(
    variant: Variant, workspace: Workspace, redis_url: str | None, workers: int = 1
) -> Settings:
    """The variant's Settings where a run puts it: a free port, the run's user store and
    keys, its Redis (a baseline keeps nothing in Redis)."""
    return variant.deploy(
        port=0,
        database_url=workspace.database_url,
        key_dir=str(workspace.key_dir),
        redis_url=redis_url if variant.kind != "baseline" else None,
        workers=workers,
    )


def start_variant(
    group: ProcessGroup,
    variant: Variant,
    workspace: Workspace,
    logs: Path,
    shared_redis_url: str | None = None,
    instances: int = 1,
    workers: int = 1,
    wait: bool = True,
    plain_twin: bool = False,
) -> RunningVariant:
    """The variant's server(s); `instances` > 1 starts several on their own ports.

    With plain_twin, the variant's plain twin (servers/plain.py) instead: the
    yardstick the `overhead` experiment measures the lab's server against.
    """
    redis = None
    redis_url = shared_redis_url
    if variant.needs_redis and not redis_url:
        redis = start_redis(group, variant.name)
        redis_url = redis.url
    fleet = Fleet(group, logs)
    settings = deployed(variant, workspace, redis_url, workers)
    servers = []
    for instance in range(instances):
        name = f"{'twin' if plain_twin else 'server'}-{variant.name}" + (
            f"-{instance}" if instances > 1 else ""
        )
        servers.append(
            fleet.launch(
                name,
                settings,
                variant.command(plain_twin),
                cpus=core_plan()["server"],
                ready=variant.ready,
            )
        )
    running = RunningVariant(variant, servers, redis, redis_url, fleet)
    if wait:
        wait_ready(running)
    return running


def wait_ready(running: RunningVariant) -> None:
    """Wait until each server is healthy (one that lost a port race starts again)."""
    if running.fleet is None:
        return  # started elsewhere: verification tells whether it answers
    running.servers[:] = [running.fleet.wait(server) for server in running.servers]
