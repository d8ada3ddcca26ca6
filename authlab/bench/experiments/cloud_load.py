"""What the experiments share: the load around one failure, as rows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from authlab.bench.experiments.cloud_common import CloudRun
from authlab.topology import timeline
from authlab.topology.distributed_locust import DistributedLoad, LoadPlan
from authlab.topology.tier import Tier


@dataclass
class Outcome:
    """A load with one failure in it: its answers and the moments that matter."""

    events: list[timeline.Event]
    failure_at: float
    moments: dict[str, float | None] = field(default_factory=dict)
    load: dict[str, object] = field(default_factory=dict)


def load_through(
    run: CloudRun,
    tier: Tier,
    label: str,
    seconds: float,
    mix: str = "browse",
    failure: Callable[[], dict[str, float | None]] | None = None,
) -> Outcome:
    """Locust (master and workers) on the tier for `seconds`; `failure` is called
    plan.before seconds after the first answer and returns the moments it saw (its
    "failure" moment first). No failure: the outcome's failure_at is the load's start."""
    plan = run.params
    load = DistributedLoad(
        run.group,
        run.folder(label),
        tier.url,
        tier.variant.transport,
        run.workspace.password,
        plan.accounts,
        LoadPlan(plan.users, plan.rate_per_user, seconds, plan.locust_workers, mix),
    ).start()
    run.topology[f"load {label}"] = [
        {"role": f"locust-master ({plan.locust_workers} workers over TCP)",
         "address": load.master_address},
    ]  # fmt: skip
    moments: dict[str, float | None] = {}
    try:
        started = load.wait_started()
        if failure is not None:
            # The load runs in its own processes: this one is free to wait, then break.
            time.sleep(plan.before)
            moments.update(failure())
        load.wait(timeout=seconds + 60)
    finally:
        _keep_locust_files(run, load, label)
    events = timeline.load_events(load.events)
    return Outcome(events, moments.get("failure") or started, moments, load.describe())


def _keep_locust_files(run: CloudRun, load: DistributedLoad, label: str) -> None:
    """Locust's logs and CSVs go with the results; the answers (with credentials) do not."""
    target = run.raw / label
    target.mkdir(parents=True, exist_ok=True)
    for path in load.directory.glob("locust*"):
        if path.is_file():
            (target / path.name).write_bytes(path.read_bytes())


def seconds_after(moments: dict[str, float | None], name: str) -> float | None:
    moment, failure = moments.get(name), moments.get("failure")
    return round(moment - failure, 2) if moment and failure else None


def summary(outcome: Outcome) -> dict[str, Any]:
    """The figures every failure row has."""
    events, at = outcome.events, outcome.failure_at
    before = [e for e in timeline.answers(events) if e["t"] < at]
    return {
        "requests": len(timeline.answers(events)),
        "success_before": _share(before),
        "failed_after": len(timeline.failures_after(events, at)),
        "recovery_s": timeline.recovery_seconds(events, at),
        "users_forced_to_log_in": len(timeline.forced_users(events, at)),
    }


def _share(events: list[timeline.Event]) -> float | None:
    return sum(timeline.ok(e) for e in events) / len(events) if events else None
