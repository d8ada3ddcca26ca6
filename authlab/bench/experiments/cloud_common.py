"""What the cloud experiments share in a bench run: their parameters, what each is handed
(CloudRun), and running one in a workspace of its own. Each writes its rows (one per
variant and event) and, where something broke under load, the per-second rows beside
them (<name>_seconds.csv); the hosts it ran on go in topology.json.

The topology itself (HAProxy, Redis + Sentinels, Locust master and workers, each host on
its own 127.0.0.x) is authlab.topology's, which knows nothing of the bench.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext
from authlab.bench.variant_servers import Workspace
from authlab.bench.variants import VARIANTS, Variant
from authlab.processes import ProcessGroup
from authlab.topology.haproxy import HAProxyNotFound, find_haproxy
from servers.config import CHEAP_ARGON2, Settings

Rows = list[dict[str, Any]]
PROBE_PREFIX = "probe"  # the probes' accounts, apart from the load's
# The variants the cloud experiments may run (the bench's own definitions).
CLOUD_VARIANTS: dict[str, Variant] = {
    name: VARIANTS[name]
    for name in ("session-memory", "session-redis", "token-hs256", "token-hs256-denylist")
}


@dataclass(frozen=True)
class CloudParams:
    """How long and how hard a cloud experiment runs, and on which variants."""

    variants: tuple[str, ...]
    instances: int = 2
    users: int = 20
    rate_per_user: float = 5.0
    locust_workers: int = 2
    before: float = 4.0  # seconds of load before the failure
    after: float = 8.0  # seconds of load after it (or after the store is back)
    probes: int = 20  # the lab's own credentials checked after a store failure
    access_ttl: int = 3  # cloud_store_down: a short access-token lifetime, seconds
    store_down: float = 9.0  # cloud_store_down: the store stays down 3 lifetimes

    @property
    def accounts(self) -> int:
        """Seeded accounts: each Locust worker its own range, twice what it needs."""
        return 2 * self.users * self.locust_workers


# The short form the tests use (an experiment's variants replace these).
SHORT = CloudParams(
    variants=(), users=8, before=2.0, after=3.0, probes=5, access_ttl=3, store_down=5.0
)  # fmt: skip


@dataclass
class CloudRun:
    """What every cloud experiment is handed: the run's processes, folders and accounts."""

    group: ProcessGroup
    raw: Path  # kept with the results (logs, Locust's CSVs)
    work: Path  # temporary: databases, keys, every answer written down
    workspace: Workspace
    params: CloudParams
    topology: dict[str, object] = field(default_factory=dict)  # for the manifest

    def folder(self, *parts: str) -> Path:
        path = self.work.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path


def seed(workspace: Workspace, params: CloudParams) -> None:
    """The load's accounts (user*) and the probes' (probe*), with the cheap hash."""
    from authlab.admin import seed_users

    settings = Settings(database_url=workspace.database_url, argon2=CHEAP_ARGON2)
    for prefix, count in (("user", params.accounts), (PROBE_PREFIX, 2 * params.probes)):
        asyncio.run(seed_users(settings, count, prefix, workspace.password))


def run_in_topology(
    context: ExperimentContext,
    name: str,
    params: CloudParams,
    measure: Callable[[CloudRun], tuple[Rows, Rows]],
    needs_balancer: bool = True,
) -> None:
    """One cloud experiment in a workspace of its own: its rows in the table <name>, its
    per-second rows in <name>_seconds, its hosts in topology.json; where a part it needs
    is missing on this machine, a warning that says which and how to get it."""
    topology: dict[str, object] = {}
    try:
        if needs_balancer:
            try:
                find_haproxy()
            except HAProxyNotFound as missing:
                context.warn(f"{name} not measured: {missing}")
                return
        raw = context.raw / name
        raw.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="authlab-cloud-") as work:
            workspace = Workspace.fresh(Path(work) / "workspace")
            workspace.directory.mkdir()
            seed(workspace, params)
            cloud = CloudRun(context.group, raw, Path(work), workspace, params, topology)
            rows, seconds = measure(cloud)
    finally:
        write_topology(context.directory, topology)
    if seconds:
        context.write_table(f"{name}_seconds", *seconds)
    context.write_table(name, *rows)


def write_topology(results: Path, topology: dict[str, object]) -> None:
    """topology.json beside the manifest: which host (role, address) each experiment and
    variant ran on, merged over the experiments of one run."""
    path = results / "topology.json"
    known = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**known, **topology}, indent=2) + "\n")


def cloud_experiment(
    name: str,
    summary: str,
    variants: tuple[str, ...],
    measure: Callable[[CloudRun], tuple[Rows, Rows]],
    per_second: bool = True,
    needs_balancer: bool = True,
) -> Experiment[CloudParams]:
    """A cloud experiment's registry entry: run in the topology by `measure`, writing its
    table (and, where it breaks something under load, `<name>_seconds`), only when a profile
    names it, starting the variants its params list."""

    def run(context: ExperimentContext, params: CloudParams) -> None:
        run_in_topology(context, name, params, measure, needs_balancer=needs_balancer)

    return Experiment(
        name,
        summary,
        (name, f"{name}_seconds") if per_second else (name,),
        CloudParams(variants=variants),
        run,
        by_default=False,
        variants=lambda params: params.variants,
    )
