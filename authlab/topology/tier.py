"""K instances of one variant behind HAProxy: the app tier of a topology.

The instances are started by the lab's one launcher (authlab.security.fleet), each on
its own loopback address, all with one user store and one key directory: a token one
instance signs must verify on the others, as behind any balancer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from authlab.bench.servers import Workspace
from authlab.ports import free_port
from authlab.processes import ProcessGroup
from authlab.security.configs import LAB_ARGON2, LabConfig
from authlab.security.fleet import Fleet, LabServer
from authlab.serve import prepare_keys
from authlab.topology import hosts
from authlab.topology.haproxy import Backend, Balancer, Routing
from servers.config import SessionBackend, Settings


@dataclass(frozen=True)
class CloudVariant:
    """A variant as the cloud experiments run it (the bench's names)."""

    name: str
    config: LabConfig
    store: SessionBackend = "redis"

    @property
    def kind(self) -> str:
        return self.config.variant

    @property
    def transport(self) -> str:
        return self.config.transport


CLOUD_VARIANTS: dict[str, CloudVariant] = {
    v.name: v
    for v in (
        CloudVariant(
            "session-memory", LabConfig("session-memory", "session", "cookie", csrf=True), "memory"
        ),
        CloudVariant("session-redis", LabConfig("session-redis", "session", "cookie", csrf=True)),
        CloudVariant("token-hs256", LabConfig("token-hs256", "token", "header")),
        CloudVariant(
            "token-hs256-denylist",
            LabConfig("token-hs256-denylist", "token", "header", revocation="denylist"),
        ),
    )
}


@dataclass
class Tier:
    variant: CloudVariant
    servers: list[LabServer]
    balancer: Balancer | None  # None: one instance, reached directly
    hosts: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.balancer.url if self.balancer else self.servers[0].base_url

    def describe(self) -> list[dict[str, str]]:
        """The tier's hosts, for the manifest: a topology, not a list of ports."""
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
    variant: CloudVariant,
    number: int,
    workspace: Workspace,
    redis_url: str,
    access_ttl: int | None,
) -> Settings:
    host = hosts.instance(number)
    settings = variant.config.settings(
        workspace.directory, redis_url, free_port(host), LAB_ARGON2, access_ttl
    )
    return settings.replace(
        host=host,
        store=variant.store,
        database_url=workspace.database_url,
        key_dir=str(workspace.key_dir),
    )


def start_tier(
    group: ProcessGroup,
    directory: Path,
    workspace: Workspace,
    variant: CloudVariant,
    redis_url: str,
    instances: int,
    routing: Routing | None,
    access_ttl: int | None = None,
    logs: Path | None = None,
) -> Tier:
    """routing None: one instance and no balancer (the store experiments that need none).
    logs: where the servers' logs go (kept with the results), else beside their files."""
    specs = [
        (f"{variant.name}-{number}", variant.config, instance_settings(
            variant, number, workspace, redis_url, access_ttl
        ))
        for number in range(instances)
    ]  # fmt: skip
    prepare_keys(specs[0][2])  # made once, before K processes could race to make them
    fleet = Fleet(group, directory / "servers", redis_url, logs or directory / "logs")
    servers = fleet.start_settings(specs)
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
