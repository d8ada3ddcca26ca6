"""Experiment 5: the store restarted (SIGKILL, then started again), without and with
persistence (the append-only file, fsync every second: the lab's default). Counted on the
lab's own credentials made before: revoked tokens accepted again, sessions and refresh
tokens lost."""

from __future__ import annotations

import time
from typing import Any

import httpx

from authlab.bench.experiments.cloud_common import (
    CLOUD_VARIANTS,
    CloudRun,
    cloud_experiment,
)
from authlab.bench.experiments.cloud_failover import Probed
from authlab.redis_server import PrivateRedis
from authlab.topology import hosts
from authlab.topology.tier import Tier, start_tier, stop_tier

NAME = "cloud_store_restart"


def _wait_healthy(tier: Tier, timeout: float = 10.0) -> None:
    """The servers reconnect on their own: wait until /health says the store answers."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=tier.url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            try:
                if client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)


def measure(cloud: CloudRun) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    plan = cloud.params
    rows: list[dict[str, Any]] = []
    for name in plan.variants:
        variant = CLOUD_VARIANTS[name]
        for persistent in (False, True):
            with PrivateRedis(host=hosts.STORE_PRIMARY, persistent=persistent) as store:
                tier = start_tier(
                    cloud.group, cloud.folder("restart", name, str(persistent)),
                    cloud.workspace, variant, store.url, 1, None, logs=cloud.raw / "logs",
                )  # fmt: skip
                try:
                    probed = Probed(variant)
                    probed.make(tier, cloud.workspace.password, plan.probes)
                    store.crash_restart()
                    _wait_healthy(tier)
                    lost = probed.lost(tier)
                finally:
                    stop_tier(cloud.group, tier)
            rows.append(
                {
                    "variant": name,
                    "event": "store restarted (SIGKILL, start)",
                    "persistence": "aof everysec" if persistent else "none",
                    **lost,
                    "revoked": len(probed.revoked) if probed.revoked else None,
                }
            )
    return rows, []


EXPERIMENT = cloud_experiment(
    NAME,
    "the store restarted, without and with persistence",
    ("session-redis", "token-hs256", "token-hs256-denylist"),
    measure,
    per_second=False,
    needs_balancer=False,
)
