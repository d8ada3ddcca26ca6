"""Experiment 4: the store down longer than an access token lives (a short --access-ttl).
A stateless token keeps working only until it expires; then refresh and login fail too,
because refresh families live in the store. Sessions (and a deny list, which fails
closed) stop at once. The per-second rows are the curve."""

from __future__ import annotations

import time
from typing import Any

from authlab.bench.experiments.cloud_common import (
    CLOUD_VARIANTS,
    CloudRun,
    cloud_experiment,
)
from authlab.bench.experiments.cloud_load import load_through, seconds_after, summary
from authlab.redis_server import PrivateRedis
from authlab.topology import hosts, timeline
from authlab.topology.tier import start_tier, stop_tier

NAME = "cloud_store_down"


def measure(cloud: CloudRun) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    plan = cloud.params
    rows: list[dict[str, Any]] = []
    seconds: list[dict[str, Any]] = []
    for name in plan.variants:
        variant = CLOUD_VARIANTS[name]
        with PrivateRedis(host=hosts.STORE_PRIMARY) as store:
            tier = start_tier(
                cloud.group, cloud.folder("store-down", name), cloud.workspace, variant,
                store.url, plan.instances, "roundrobin", access_ttl=plan.access_ttl,
                logs=cloud.raw / "logs",
            )  # fmt: skip
            cloud.topology[f"{NAME} {name}"] = tier.describe()

            def failure(store: PrivateRedis = store) -> dict[str, float | None]:
                store.crash()
                down = time.time()
                time.sleep(plan.store_down)
                restarting = time.time()
                store.restart()
                return {"failure": down, "restarting": restarting, "back": time.time()}

            try:
                outcome = load_through(
                    cloud, tier, f"store-down-{name}",
                    plan.before + plan.store_down + plan.after, failure=failure,
                )  # fmt: skip
            finally:
                stop_tier(cloud.group, tier)
        down = outcome.failure_at
        restarting = outcome.moments.get("restarting") or down
        back = outcome.moments.get("back") or down
        events = outcome.events
        base = {"variant": name, "event": "store down (SIGKILL), restarted later"}
        rows.append(
            {
                **base,
                "access_ttl_s": plan.access_ttl if variant.kind == "token" else None,
                "down_s": seconds_after(outcome.moments, "restarting"),
                **summary(outcome),
                "success_while_down": timeline.success_between(events, down, restarting),
                "served_for_s": timeline.last_ok_between(events, down, restarting),
                "recovery_after_back_s": timeline.recovery_seconds(events, back),
            }
        )
        seconds += timeline.per_second(events, down, base)
    return rows, seconds


EXPERIMENT = cloud_experiment(
    NAME,
    "the store down longer than an access token lives",
    ("session-redis", "token-hs256", "token-hs256-denylist"),
    measure,
)
