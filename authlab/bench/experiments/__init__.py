"""Experiments beyond one server under load, behind one registry.

Each experiment is a module here with `run_experiment(bench, group, workspace)`, which
writes the rows of its table (its CSV in the results folder, named once: here). The
runner does the experiments a profile names, in the profile's order; a name the
registry does not know is refused before anything starts.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from results_format import tables

if TYPE_CHECKING:
    from authlab.bench.profiles import Profile
    from authlab.bench.runner import Bench
    from authlab.bench.variant_servers import Workspace
    from authlab.processes import ProcessGroup

Run = Callable[["Bench", "ProcessGroup", "Workspace"], None]


@dataclass(frozen=True)
class Experiment:
    name: str
    table: str | None  # the CSV it writes (None: its results go elsewhere)
    summary: str
    by_default: bool = True  # in every profile's experiments (else: named by a profile)
    # The variants it starts itself (the manifest describes them beside the loaded ones).
    variants: Callable[[Profile], tuple[str, ...]] | None = None

    def runner(self) -> Run:
        """Its run_experiment, imported only when it runs (some import heavy parts)."""
        module = importlib.import_module(f"authlab.bench.experiments.{self.name}")
        run: Run = module.run_experiment
        return run


REGISTRY: dict[str, Experiment] = {
    experiment.name: experiment
    for experiment in (
        Experiment("overhead", "overhead", "each variant against its plain twin"),
        Experiment("primitives", "primitives", "what each building block costs alone"),
        Experiment("sessions_at_scale", "sessions_at_scale", "N live sessions in each store"),
        Experiment(
            "scale_out",
            "scale_out",
            "K servers without sticky routing",
            variants=lambda profile: profile.scale_out_variants,
        ),
        Experiment(
            "outage",
            "outage",
            "the store frozen mid-run",
            variants=lambda profile: profile.outage_variants,
        ),
        Experiment("resident_sessions", "resident_sessions", "a server with N sessions held"),
        Experiment(
            "security_browser",
            None,
            "the security lab's CSRF and XSS in Chromium",
            by_default=False,
        ),
        Experiment(
            "instructions",
            "instructions",
            "instructions per GET /me under callgrind, each variant against its plain twin",
            by_default=False,
        ),
        # The cloud topology (authlab.topology): HAProxy, Redis + Sentinels, Locust master
        # and workers; the `cloud` profile runs them. Each also writes <table>_seconds.csv.
        Experiment(
            "cloud_balancer",
            "cloud_balancer",
            "HAProxy round robin, no stickiness",
            by_default=False,
            variants=lambda profile: profile.cloud.balancer_variants,
        ),
        Experiment(
            "cloud_sticky_kill",
            "cloud_sticky_kill",
            "sticky routing, an instance SIGKILLed under load",
            by_default=False,
            variants=lambda profile: profile.cloud.sticky_variants,
        ),
        Experiment(
            "cloud_failover",
            "cloud_failover",
            "the store's primary SIGKILLed under mixed load, Sentinel failover",
            by_default=False,
            variants=lambda profile: profile.cloud.failover_variants,
        ),
        Experiment(
            "cloud_store_down",
            "cloud_store_down",
            "the store down longer than an access token lives",
            by_default=False,
            variants=lambda profile: profile.cloud.store_down_variants,
        ),
        Experiment(
            "cloud_store_restart",
            "cloud_store_restart",
            "the store restarted, without and with persistence",
            by_default=False,
            variants=lambda profile: profile.cloud.restart_variants,
        ),
    )
}
TABLES: tuple[str, ...] = tuple(tables.BY_NAME[e.table].name for e in REGISTRY.values() if e.table)


def unknown(names: tuple[str, ...]) -> list[str]:
    return sorted(set(names) - set(REGISTRY))
