"""Start the server of one variant (and its private Redis) for a benchmark run."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from authlab.bench.phase import Target
from authlab.bench.variants import Variant
from authlab.ports import free_port
from authlab.processes import ProcessGroup, Tracked, core_plan
from authlab.redis_server import PrivateRedis
from servers.config import Argon2Params, Settings

# The hash of the accounts that browse: logging them in must not weigh on the
# phases that measure authenticated requests. Login storms use OWASP's cost.
CHEAP_ARGON2 = Argon2Params(memory_kib=1024, time_cost=1, parallelism=1)


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
    target: Target
    redis: PrivateRedis | None
    servers: list[Tracked]

    def stop(self, group: ProcessGroup) -> None:
        for server in self.servers:
            group.stop(server)
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


def serve_argv(
    variant: Variant,
    port: int,
    workspace: Workspace,
    redis_url: str | None,
    workers: int,
    plain_twin: bool = False,
) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "authlab",
        *variant.serve_args(),
        "--port",
        str(port),
        "--database-url",
        workspace.database_url,
        "--workers",
        str(workers),
    ]
    if variant.kind != "baseline":
        argv += ["--key-dir", str(workspace.key_dir)]
        if redis_url:
            argv += ["--redis-url", redis_url]
    if plain_twin:
        argv.append("--plain-twin")
    return argv


def wait_healthy(url: str, tracked: Tracked, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tracked.process.poll() is not None:
            raise RuntimeError(f"{tracked.name} exited with {tracked.process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{tracked.name} was not healthy within {timeout:.0f}s")


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
    servers, urls = [], []
    for instance in range(instances):
        port = free_port()
        name = f"{'twin' if plain_twin else 'server'}-{variant.name}" + (
            f"-{instance}" if instances > 1 else ""
        )
        tracked = group.start(
            "server",
            name,
            serve_argv(variant, port, workspace, redis_url, workers, plain_twin),
            cpus=core_plan()["server"],
            log=logs / f"{name}.log",
        )
        servers.append(tracked)
        urls.append(f"http://127.0.0.1:{port}")
    running = RunningVariant(
        variant,
        Target(
            variant.name,
            variant.kind,
            variant.transport,
            urls[0],
            servers[0],
            redis_url,
            tuple(urls) if instances > 1 else (),
        ),
        redis,
        servers,
    )
    if wait:
        wait_ready(running, group)
    return running


def wait_ready(running: RunningVariant, group: ProcessGroup) -> None:
    urls = running.target.extra_urls or (running.target.url,)
    for tracked, url in zip(running.servers, urls, strict=True):
        wait_healthy(url, tracked)
        group.pin_tree(tracked)
