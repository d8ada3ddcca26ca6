"""Experiment 1: HAProxy round robin, no stickiness. Each request may land on any
instance: sessions in one process's memory fail about (K-1)/K of the time; sessions in
a shared Redis and tokens do not."""

from __future__ import annotations

from typing import Any

from authlab.bench.experiments.cloud_common import (
    CLOUD_VARIANTS,
    CloudRun,
    cloud_experiment,
)
from authlab.bench.experiments.cloud_load import load_through
from authlab.redis_server import PrivateRedis
from authlab.topology import hosts, timeline
from authlab.topology.tier import start_tier, stop_tier

NAME = "cloud_balancer"


def measure(cloud: CloudRun) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    plan = cloud.params
    rows: list[dict[str, Any]] = []
    with PrivateRedis(host=hosts.STORE_PRIMARY) as store:
        for name in plan.variants:
            variant = CLOUD_VARIANTS[name]
            tier = start_tier(
                cloud.group, cloud.folder("balancer", name), cloud.workspace, variant,
                store.url, plan.instances, "roundrobin", logs=cloud.raw / "logs",
            )  # fmt: skip
            cloud.topology[f"{NAME} {name}"] = [
                *tier.describe(),
                {"role": "redis", "address": f"{store.host}:{store.port}"},
            ]
            try:
                outcome = load_through(cloud, tier, f"balancer-{name}", plan.before + plan.after)
            finally:
                stop_tier(cloud.group, tier)
            me = [e for e in outcome.events if e["op"] == "me"]
            failed = sum(not timeline.ok(e) for e in me)
            rows.append(
                {
                    "variant": name,
                    "event": "round robin, no stickiness",
                    "instances": plan.instances,
                    "routing": "roundrobin",
                    "requests": len(me),
                    "failed": failed,
                    "failure_rate": failed / len(me) if me else None,
                    "expected_if_state_is_local": (plan.instances - 1) / plan.instances
                    if variant.store == "memory"
                    else 0.0,
                    "users_forced_to_log_in": len(timeline.forced_users(outcome.events, 0.0)),
                    "users": plan.users,
                }
            )
    return rows, []


EXPERIMENT = cloud_experiment(
    NAME,
    "HAProxy round robin, no stickiness",
    ("session-memory", "session-redis", "token-hs256"),
    measure,
    per_second=False,
)
