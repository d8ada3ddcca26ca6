"""Experiment 3: the store's primary SIGKILLed under mixed load (browsing, logins,
refreshes, logouts). The Sentinels promote the replica; the servers' Sentinel-aware
client follows it without a restart. Counted: seconds until requests succeed again, and
what the store lost: the lab's own credentials made just before the kill (sessions,
deny-list entries, refresh tokens), checked once the load is over."""

from __future__ import annotations

from typing import Any

import httpx

from authlab.bench.experiments.cloud_common import (
    CLOUD_VARIANTS,
    PROBE_PREFIX,
    CloudRun,
    cloud_experiment,
)
from authlab.bench.experiments.cloud_load import load_through, seconds_after, summary
from authlab.bench.variants import Variant
from authlab.topology import probes, timeline
from authlab.topology.store import ReplicatedStore
from authlab.topology.tier import Tier, start_tier, stop_tier

NAME = "cloud_failover"
# Load seconds added for the failover itself (Sentinel's down-after, election, promotion),
# so that plan.after seconds of load follow it.
FAILOVER_ALLOWANCE = 4.0


class Probed:
    """Credentials made right before a failure: live ones and revoked ones."""

    def __init__(self, variant: Variant) -> None:
        self.variant = variant
        self.live: list[probes.Probe] = []
        self.revoked: list[probes.Probe] = []

    def make(self, tier: Tier, password: str, count: int) -> None:
        transport = self.variant.transport
        with httpx.Client(base_url=tier.url, timeout=5.0) as client:
            for number in range(count):
                self.live.append(
                    probes.login(client, f"{PROBE_PREFIX}{number:06d}", password, transport)
                )
            if self.variant.settings.revocation == "denylist":
                for number in range(count, 2 * count):
                    probe = probes.login(client, f"{PROBE_PREFIX}{number:06d}", password, transport)
                    probes.logout(client, probe)
                    self.revoked.append(probe)

    def lost(self, tier: Tier) -> dict[str, int | None]:
        """What the store forgot: sessions no longer accepted, revoked tokens accepted
        again, refresh tokens refused (None: the variant has none of that kind)."""
        session = self.variant.kind == "session"
        with httpx.Client(base_url=tier.url, timeout=5.0) as client:
            sessions = sum(probes.me(client, p) != 200 for p in self.live) if session else None
            revocations = (
                sum(probes.me(client, p) == 200 for p in self.revoked) if self.revoked else None
            )
            refresh = None if session else sum(probes.refresh(client, p) != 200 for p in self.live)
        return {
            "probes": len(self.live),
            "sessions_lost": sessions,
            "revocations_lost": revocations,
            "refresh_tokens_lost": refresh,
        }


def measure(cloud: CloudRun) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    plan = cloud.params
    rows: list[dict[str, Any]] = []
    seconds: list[dict[str, Any]] = []
    for name in plan.variants:
        variant = CLOUD_VARIANTS[name]
        with ReplicatedStore(cloud.group) as store:
            tier = start_tier(
                cloud.group, cloud.folder("failover", name), cloud.workspace, variant,
                store.url, plan.instances, "roundrobin", logs=cloud.raw / "logs",
            )  # fmt: skip
            cloud.topology[f"{NAME} {name}"] = [*tier.describe(), *store.describe()]
            probed = Probed(variant)

            def failure(
                tier: Tier = tier, store: ReplicatedStore = store, probed: Probed = probed
            ) -> dict[str, Any]:
                probed.make(tier, cloud.workspace.password, plan.probes)
                killed = store.kill_primary()
                return {"failure": killed, "promoted": store.wait_promoted(timeout=30.0)}

            try:
                duration = plan.before + FAILOVER_ALLOWANCE + plan.after
                outcome = load_through(
                    cloud, tier, f"failover-{name}", duration, mix="mixed", failure=failure
                )
                lost = probed.lost(tier)
            finally:
                stop_tier(cloud.group, tier)
        base = {"variant": name, "event": "store primary killed (SIGKILL), Sentinel failover"}
        rows.append(
            {
                **base,
                "instances": plan.instances,
                **summary(outcome),
                "failover_s": seconds_after(outcome.moments, "promoted"),
                **lost,
            }
        )
        seconds += timeline.per_second(outcome.events, outcome.failure_at, base)
    return rows, seconds


EXPERIMENT = cloud_experiment(
    NAME,
    "the store's primary SIGKILLed under mixed load, Sentinel failover",
    ("session-redis", "token-hs256", "token-hs256-denylist"),
    measure,
)
