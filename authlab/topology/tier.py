"""K instances of one variant behind HAProxy: the app tier of a topology.

The instances are bench variants (a name plus Settings: the topology asks only what
Deployable says, and authlab.bench.variants.Variant is one), deployed on their own loopback
addresses and started by the one fleet (authlab.fleet); all share one user store and one
key directory: a token one instance signs must verify on the others, as behind any balancer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from authlab.fleet import Fleet, Server
from authlab.processes import ProcessGroup
from authlab.serve import prepare_keys
from authlab.topology import hosts
from authlab.topology.haproxy import Backend, Balancer, Routing
from servers.config import Settings


class Deployable(Protocol):
    """A server the tier runs K of: its name, how its credential travels, and its Settings
    with where an instance goes (host, port, user store, keys, Redis)."""

    @property
    def name(self) -> str: ...
    @property
    def transport(self) -> str: ...
    def deploy(self, **where: Any) -> Settings: ...


class SharedFiles(Protocol):
    """What every instance of a tier shares: one user store and one key directory."""

    @property
    def database_url(self) -> str: ...
    @property
    def key_dir(self) -> Path: ...


@dataclass
class Tier:
    variant: Deployable
    servers: list[Server]
    balancer: Balancer | None  # None: one instance, reached directly

    @property
    def url(self) -> str:
        return self.balancer.url if self.balancer else self.servers[0].url

    def describe(self) -> list[dict[str, str]]:
        """The tier's hosts, for topology.json: a topology, not a list of ports."""
        rows = [
            {"role": f"instance {s.name}", "address": f"{s.settings.host}:{s.port}"}
            for s in self.servers
        ]
        if self.balancer:
            rows.insert(
                0,
                {
                    "role": f"haproxy ({self.balancer.routing})",
                    "address": f"{self.balancer.host}:{self.balancer.port}",
                },
            )
        return rows


def instance_settings(
    variant: Deployable, number: int, workspace: SharedFiles, redis_url: str, access_ttl: int | None
) -> Settings:
    settings = variant.deploy(
        host=hosts.instance(number),
        port=0,  # the fleet picks a free one on that address
        database_url=workspace.database_url,
        key_dir=str(workspace.key_dir),
        redis_url=redis_url,
    )
    return settings.replace(access_ttl=access_ttl) if access_ttl else settings


def start_tier(
    group: ProcessGroup,
    directory: Path,
    workspace: SharedFiles,
    variant: Deployable,
    redis_url: str,
    instances: int,
    routing: Routing | None,
    access_ttl: int | None = None,
    logs: Path | None = None,
) -> Tier:
    """routing None: one instance and no balancer (the store experiments that need none).
    logs: where the servers' logs go (kept with the results), else in directory."""
    specs = [
        instance_settings(variant, number, workspace, redis_url, access_ttl)
        for number in range(instances)
    ]
    prepare_keys(specs[0])  # made once, before K processes could race to make them
    fleet = Fleet(group, logs or directory / "logs")
    launched = [
        fleet.launch(f"{variant.name}-{number}", settings) for number, settings in enumerate(specs)
    ]
    servers = [fleet.wait(server) for server in launched]  # they start in parallel
    balancer = None
    if routing is not None:
        backends = [Backend(f"s{n}", s.settings.host, s.port) for n, s in enumerate(servers)]
        balancer = Balancer(group, directory / "haproxy", backends, routing).start()
    return Tier(variant, servers, balancer)


def stop_tier(group: ProcessGroup, tier: Tier) -> None:
    if tier.balancer is not None:
        tier.balancer.stop()
    for server in tier.servers:
        group.stop(server.tracked)
