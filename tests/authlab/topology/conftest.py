"""The cloud topology's tests run real HAProxy, Redis and Sentinel processes: without
haproxy (or redis-server) they are skipped, saying why, and fail under
AUTHLAB_REQUIRE_SERVICES=1. Each test must leave no process and no directory behind."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from authlab.redis_server import RedisNotFound, find_redis_server
from authlab.topology.haproxy import HAProxyNotFound, find_haproxy
from tests.conftest import service_missing

# Only the topology makes these (PrivateRedis directories may be another run's).
OUR_TEMPORARY = ("authlab-store-*", "authlab-cloud-*")


@pytest.fixture
def topology_parts() -> None:
    try:
        find_haproxy()
        find_redis_server()
    except (HAProxyNotFound, RedisNotFound) as missing:
        service_missing(str(missing))


def _temporary() -> set[Path]:
    root = Path(tempfile.gettempdir())
    return {path for pattern in OUR_TEMPORARY for path in root.glob(pattern)}


@pytest.fixture
def nothing_left_behind() -> Iterator[None]:
    """After the test: no child process of ours alive, no temporary directory of ours new."""
    before = _temporary()
    yield
    children = [c for c in psutil.Process().children(recursive=True) if c.is_running()]
    alive = [c for c in children if c.status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"processes left behind: {[c.cmdline()[:3] for c in alive]}"
    assert not _temporary() - before, f"left behind: {_temporary() - before}"
