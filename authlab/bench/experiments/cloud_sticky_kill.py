"""Experiment 2: sticky routing (HAProxy's SRV cookie), then one instance is SIGKILLed
under load. HAProxy's health checks take it out; its users are sent to another instance.
Counted: the users who had to log in again (sessions in that process's memory: every
user pinned to it; in Redis, and tokens: none), the requests that failed, the seconds
until HAProxy called the instance DOWN."""

from __future__ import annotations

import signal
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
from authlab.topology.tier import Tier, start_tier, stop_tier

NAME = "cloud_sticky_kill"
KILLED = "s0"  # HAProxy's name of the instance killed (the first)


def _kill_instance(tier: Tier) -> dict[str, float | None]:
    assert tier.balancer is not None
    tier.servers[0].tracked.process.send_signal(signal.SIGKILL)
    killed = time.time()
    out = tier.balancer.wait_state(KILLED, "DOWN", timeout=10.0)
    return {"failure": killed, "out": out}


def pinned_to(events: list[timeline.Event], server: str, before: float) -> set[str]:
    """Users whose last login before `before` HAProxy pinned to `server`."""
    last: dict[str, str | None] = {}
    for event in events:
        if event["t"] < before and event["op"] == "login" and timeline.ok(event):
            last[event["u"]] = event.get("srv")
    return {user for user, srv in last.items() if srv == server}


def measure(cloud: CloudRun) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    plan = cloud.params
    rows: list[dict[str, Any]] = []
    seconds: list[dict[str, Any]] = []
    with PrivateRedis(host=hosts.STORE_PRIMARY) as store:
        for name in plan.variants:
            variant = CLOUD_VARIANTS[name]
            tier = start_tier(
                cloud.group, cloud.folder("sticky", name), cloud.workspace, variant,
                store.url, plan.instances, "sticky", logs=cloud.raw / "logs",
            )  # fmt: skip
            cloud.topology[f"{NAME} {name}"] = tier.describe()
            try:
                outcome = load_through(
                    cloud, tier, f"sticky-{name}", plan.before + 1 + plan.after,
                    failure=lambda tier=tier: _kill_instance(tier),  # type: ignore[misc]
                )  # fmt: skip
            finally:
                stop_tier(cloud.group, tier)
            event = "instance killed (SIGKILL), sticky routing"
            base = {"variant": name, "event": event}
            rows.append(
                {
                    **base,
                    "instances": plan.instances,
                    **summary(outcome),
                    "users": plan.users,
                    "users_on_killed_instance": len(
                        pinned_to(outcome.events, KILLED, outcome.failure_at)
                    ),
                    "seconds_until_out": seconds_after(outcome.moments, "out"),
                }
            )
            seconds += timeline.per_second(outcome.events, outcome.failure_at, base)
    return rows, seconds


EXPERIMENT = cloud_experiment(
    NAME,
    "sticky routing, an instance SIGKILLed under load",
    ("session-memory", "session-redis", "token-hs256"),
    measure,
)
