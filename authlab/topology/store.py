"""A replicated Redis: a primary, a replica of it, and Sentinels that promote the replica
when the primary dies. Each on its own loopback address; all in one temporary directory
that stop() removes.

Both Redis nodes keep an append-only file (fsync every second, as the lab's private Redis
does): replication covers a dead machine, the file a restarted process. Replication is
asynchronous, as Redis's is: a write the primary acknowledged in the last moments before
it died may not have reached the replica, and is then lost at failover. The experiments
count exactly that.
"""

from __future__ import annotations

import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import redis

from authlab.ports import free_port
from authlab.processes import ProcessGroup, Tracked
from authlab.redis_server import find_redis_server, persistence_args
from authlab.topology import hosts

SERVICE = "authlab"
# Sentinel calls the primary down after this long without an answer; three Sentinels,
# two of which must agree (the usual quorum), then elect one to run the failover.
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000
QUORUM = 2


@dataclass
class Node:
    role: str  # primary | replica | sentinel
    host: str
    port: int
    tracked: Tracked | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class ReplicatedStore:
    """Use as a context manager: started on entry, every process stopped on exit."""

    def __init__(self, group: ProcessGroup, sentinels: int = 3) -> None:
        self.group = group
        self.binary = find_redis_server()
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self.primary = Node("primary", hosts.STORE_PRIMARY, 0)
        self.replica = Node("replica", hosts.STORE_REPLICA, 0)
        self.sentinels = [Node("sentinel", host, 0) for host in hosts.SENTINELS[:sentinels]]

    @property
    def directory(self) -> Path:
        assert self._directory is not None
        return Path(self._directory.name)

    @property
    def url(self) -> str:
        """What the servers are given: the Sentinels and the service, never a node."""
        return f"redis+sentinel://{','.join(s.address for s in self.sentinels)}/{SERVICE}/0"

    @property
    def nodes(self) -> list[Node]:
        return [self.primary, self.replica, *self.sentinels]

    def describe(self) -> list[dict[str, str]]:
        """The store's hosts, for the manifest."""
        return [{"role": n.role, "address": n.address} for n in self.nodes]

    # --- start and stop ------------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> ReplicatedStore:
        self._directory = tempfile.TemporaryDirectory(prefix="authlab-store-")
        try:
            self._start_redis(self.primary, [])
            self._start_redis(
                self.replica, ["--replicaof", self.primary.host, str(self.primary.port)]
            )
            for number, sentinel in enumerate(self.sentinels):
                self._start_sentinel(number, sentinel)
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _redis_argv(self, node: Node, extra: list[str]) -> list[str]:
        directory = self.directory / f"{node.role}-{node.host}"
        directory.mkdir(exist_ok=True)
        return [
            str(self.binary), "--port", str(node.port), "--bind", node.host,
            "--protected-mode", "no", *persistence_args(True), "--dir", str(directory),
            # What the primary reports of its replica (and Sentinel reads) is this address,
            # not the 127.0.0.1 the connection came from.
            "--replica-announce-ip", node.host, "--loglevel", "warning", *extra,
        ]  # fmt: skip

    def _start_redis(self, node: Node, extra: list[str]) -> None:
        node.port = free_port(node.host)
        node.tracked = self.group.start(
            "redis",
            f"redis-{node.role}",
            self._redis_argv(node, extra),
            log=self.directory / f"{node.role}.log",
            own_session=True,
        )
        _wait_ping(node, 10.0)

    def _start_sentinel(self, number: int, node: Node) -> None:
        node.port = free_port(node.host)
        # Sentinel rewrites its configuration file: it must be a file of its own.
        config = self.directory / f"sentinel-{number}.conf"
        config.write_text(
            f"port {node.port}\n"
            f"bind {node.host}\n"
            "protected-mode no\n"
            f"dir {self.directory}\n"
            f"sentinel announce-ip {node.host}\n"
            f"sentinel monitor {SERVICE} {self.primary.host} {self.primary.port} {QUORUM}\n"
            f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {SERVICE} {FAILOVER_TIMEOUT_MS}\n"
            f"sentinel parallel-syncs {SERVICE} 1\n"
        )
        node.tracked = self.group.start(
            "redis",
            f"sentinel-{number}",
            [str(self.binary), str(config), "--sentinel", "--loglevel", "warning"],
            log=self.directory / f"sentinel-{number}.log",
            own_session=True,
        )
        _wait_ping(node, 10.0)

    def _wait_ready(self, timeout: float) -> None:
        """Until every Sentinel knows the primary, its replica in sync, and the others:
        before that a dead primary would not be failed over."""
        deadline = time.monotonic() + timeout
        quorum_others = len(self.sentinels) - 1
        while time.monotonic() < deadline:
            if all(self._sentinel_ready(s, quorum_others) for s in self.sentinels):
                return
            time.sleep(0.1)
        raise RuntimeError("the Sentinels did not see the primary, its replica and each other")

    def _sentinel_ready(self, sentinel: Node, others: int) -> bool:
        try:
            with _client(sentinel) as client:
                state = client.sentinel_master(SERVICE)
        except redis.RedisError:
            return False
        return (
            int(state.get("num-slaves", 0)) >= 1
            and int(state.get("num-other-sentinels", 0)) >= others
            and not state.get("is_odown")
            and self._replica_in_sync()
        )

    def _replica_in_sync(self) -> bool:
        try:
            with _client(self.replica) as client:
                info = client.info("replication")
        except redis.RedisError:
            return False
        return bool(info.get("master_link_status") == "up")

    def stop(self) -> None:
        for node in reversed(self.nodes):
            if node.tracked is not None:
                self.group.stop(node.tracked)
                node.tracked = None
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

    def __enter__(self) -> ReplicatedStore:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    # --- failures --------------------------------------------------------------------------

    def kill_primary(self) -> float:
        """SIGKILL the primary (no goodbye to anyone); the time.time() it was killed."""
        assert self.primary.tracked is not None
        self.primary.tracked.process.send_signal(signal.SIGKILL)
        killed = time.time()
        self.primary.tracked.process.wait()
        self.group.stop(self.primary.tracked)  # reaped: forget it
        self.primary.tracked = None
        return killed

    def current_primary(self) -> str | None:
        """host:port the Sentinels name primary now (the first Sentinel that answers)."""
        for sentinel in self.sentinels:
            try:
                with _client(sentinel) as client:
                    host, port = client.sentinel_get_master_addr_by_name(SERVICE)
                    return f"{host}:{port}"
            except (redis.RedisError, TypeError):
                continue
        return None

    def wait_promoted(self, timeout: float = 30.0) -> float | None:
        """Wait until the Sentinels name the replica primary and it accepts writes: the
        time.time() of that, or None if it did not happen within timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.current_primary() == self.replica.address:
                try:
                    with _client(self.replica) as client:
                        if client.info("replication").get("role") == "master":
                            return time.time()
                except redis.RedisError:
                    pass
            time.sleep(0.05)
        return None


def _client(node: Node) -> redis.Redis:
    return redis.Redis(
        host=node.host, port=node.port, socket_connect_timeout=0.5, socket_timeout=1.0,
        decode_responses=True,
    )  # fmt: skip


def _wait_ping(node: Node, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.tracked is not None and node.tracked.process.poll() is not None:
            break
        try:
            with _client(node) as client:
                if client.ping():
                    return
        except redis.RedisError:
            time.sleep(0.05)
    raise RuntimeError(f"redis {node.role} did not start on {node.address}")
