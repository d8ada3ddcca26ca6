"""The cloud experiments in a bench run: each writes its own CSV in the results folder
(one row per variant and event) and, where something broke under load, the per-second
rows beside it (<name>_seconds.csv)."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from authlab.bench.tables import Table
from authlab.bench.variant_servers import Workspace
from authlab.processes import ProcessGroup
from authlab.topology.context import CloudRun
from authlab.topology.experiments import balancer, failover, restart, sticky, store_down
from authlab.topology.experiments.common import PROBE_PREFIX
from authlab.topology.haproxy import HAProxyNotFound, find_haproxy
from authlab.topology.plan import CloudPlan
from servers.config import CHEAP_ARGON2, Settings

if TYPE_CHECKING:
    from authlab.bench.runner import Bench

Rows = list[dict[str, Any]]
EXPERIMENTS: dict[str, Callable[[CloudRun], tuple[Rows, Rows]]] = {
    balancer.NAME: balancer.run,
    sticky.NAME: sticky.run,
    failover.NAME: failover.run,
    store_down.NAME: store_down.run,
    restart.NAME: restart.run,
}
# The experiments that need HAProxy (the restart one reaches its one instance directly).
NEEDS_BALANCER = (balancer.NAME, sticky.NAME, failover.NAME, store_down.NAME)


class Skipped(Exception):
    """A part is missing on this machine: the message says which and how to get it."""


def missing_parts(name: str) -> str | None:
    if name in NEEDS_BALANCER:
        try:
            find_haproxy()
        except HAProxyNotFound as error:
            return str(error)
    return None


def seed(workspace: Workspace, plan: CloudPlan) -> None:
    """The load's accounts (user*) and the probes' (probe*), with the cheap hash."""
    from authlab.admin import seed_users

    settings = Settings(database_url=workspace.database_url, argon2=CHEAP_ARGON2)
    for prefix, count in (("user", plan.accounts), (PROBE_PREFIX, 2 * plan.probes)):
        asyncio.run(seed_users(settings, count, prefix, workspace.password))


def run_experiment(
    name: str, group: ProcessGroup, results: Path, plan: CloudPlan, topology: dict[str, Any]
) -> tuple[Rows, Rows]:
    """One cloud experiment: its rows, and its per-second rows (in
    results/<name>_seconds.csv); its hosts added to topology. Raises Skipped when a part
    it needs is missing."""
    missing = missing_parts(name)
    if missing:
        raise Skipped(missing)
    raw = results / "raw" / name
    raw.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="authlab-cloud-") as work:
        workspace = Workspace.fresh(Path(work) / "workspace")
        workspace.directory.mkdir()
        seed(workspace, plan)
        cloud = CloudRun(group, raw, Path(work), workspace, plan, topology)
        rows, seconds = EXPERIMENTS[name](cloud)
    if seconds:
        Table(results / f"{name}_seconds.csv").add(*seconds)
    return rows, seconds


def bench_runner(name: str) -> Callable[[Bench, ProcessGroup, Workspace], None]:
    """The run_experiment of authlab.bench.experiments.<name>: rows in the bench's table
    of that name, a warning where a part is missing, the hosts in topology.json."""

    def run(bench: Bench, group: ProcessGroup, workspace: Workspace) -> None:
        topology: dict[str, Any] = {}
        try:
            rows, _ = run_experiment(name, group, bench.directory, bench.profile.cloud, topology)
        except Skipped as missing:
            bench.warnings.append(f"{name} not measured: {missing}")
            return
        finally:
            write_topology(bench.directory, topology)
        bench.tables[name].add(*rows)

    return run


def write_topology(results: Path, topology: dict[str, Any]) -> None:
    """topology.json beside the manifest: which host (role, address) each experiment and
    variant ran on, merged over the experiments of one run."""
    import json

    path = results / "topology.json"
    known = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**known, **topology}, indent=2) + "\n")


def print_tables(results: Path) -> None:
    """Each cloud experiment's CSV as a table on the terminal (the closing note's tables)."""
    import csv
    import sys

    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console(width=None if sys.stdout.isatty() else 200)
    for name in EXPERIMENTS:
        path = results / f"{name}.csv"
        if not path.is_file():
            continue
        with path.open() as handle:
            rows = list(csv.DictReader(handle))
        if not rows:
            continue
        table = RichTable(title=f"{name}: {rows[0].get('event', '')}")
        columns = [c for c in rows[0] if c != "event"]
        for column in columns:
            table.add_column(
                column.replace("_", " "), justify="left" if column == "variant" else "right"
            )
        for row in rows:
            table.add_row(*(_short(row.get(c, "")) for c in columns))
        console.print(table)


def _short(value: str | None) -> str:
    """Shares and seconds to 2 decimals, as the CSV keeps them whole."""
    if not value:
        return "-"
    try:
        number = float(value)
    except ValueError:
        return value
    return f"{number:.2f}" if not number.is_integer() else f"{number:.0f}"
