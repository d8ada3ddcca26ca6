"""How long and how hard the cloud experiments run: the `cloud` bench profile's figures,
and the short form the tests use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CloudPlan:
    instances: int = 2
    users: int = 20
    rate_per_user: float = 5.0
    locust_workers: int = 2
    before: float = 4.0  # seconds of load before the failure
    after: float = 8.0  # seconds of load after it (or after the store is back)
    probes: int = 20  # the lab's own credentials checked after a store failure
    access_ttl: int = 3  # experiment 4: a short access-token lifetime, seconds
    store_down: float = 9.0  # experiment 4: the store stays down 3 lifetimes
    balancer_variants: tuple[str, ...] = ("session-memory", "session-redis", "token-hs256")
    sticky_variants: tuple[str, ...] = ("session-memory", "session-redis", "token-hs256")
    failover_variants: tuple[str, ...] = ("session-redis", "token-hs256", "token-hs256-denylist")
    store_down_variants: tuple[str, ...] = ("session-redis", "token-hs256", "token-hs256-denylist")
    restart_variants: tuple[str, ...] = ("session-redis", "token-hs256", "token-hs256-denylist")

    @property
    def accounts(self) -> int:
        """Seeded accounts: each Locust worker its own range, twice what it needs."""
        return 2 * self.users * self.locust_workers


SHORT = CloudPlan(
    users=8, before=2.0, after=3.0, probes=5, access_ttl=3, store_down=5.0
)  # fmt: skip
