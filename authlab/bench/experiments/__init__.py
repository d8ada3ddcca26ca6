"""Experiments beyond one server under load, behind one registry.

Each experiment is a module here that declares an `EXPERIMENT` (experiment.py): its
name, what it measures, the tables it writes, a frozen dataclass of its parameters with
their defaults, and `run(context, params)`, handed the few parts of the run it may use
(context.py). The runner does the experiments a profile names, in the profile's order,
each with the profile's parameters for it or its defaults; a name the registry does not
know is refused before anything starts. Adding an experiment: its module here, and its
line below.
"""

from __future__ import annotations

from typing import Any

from authlab.bench.experiments import (
    cloud_balancer,
    cloud_failover,
    cloud_sticky_kill,
    cloud_store_down,
    cloud_store_restart,
    instructions,
    outage,
    overhead,
    primitives,
    resident_sessions,
    scale_out,
    security_browser,
    sessions_at_scale,
)
from authlab.bench.experiments.experiment import Experiment
from results_format import tables

REGISTRY: dict[str, Experiment[Any]] = {
    module.EXPERIMENT.name: module.EXPERIMENT
    for module in (
        overhead,
        primitives,
        sessions_at_scale,
        scale_out,
        outage,
        resident_sessions,
        security_browser,
        instructions,
        # The cloud topology (authlab.topology): HAProxy, Redis + Sentinels, Locust master
        # and workers; the `cloud` profile runs them.
        cloud_balancer,
        cloud_sticky_kill,
        cloud_failover,
        cloud_store_down,
        cloud_store_restart,
    )
}
# Each looked up in the results format's declaration: an undeclared one fails at import.
TABLES: tuple[str, ...] = tuple(
    tables.BY_NAME[table].name for e in REGISTRY.values() for table in e.tables
)


def unknown(names: tuple[str, ...]) -> list[str]:
    return sorted(set(names) - set(REGISTRY))
