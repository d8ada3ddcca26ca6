"""The cloud topology's tests run real HAProxy, Redis and Sentinel processes: without
haproxy (or redis-server) they are skipped, saying why, and fail under
AUTHLAB_REQUIRE_SERVICES=1. Each test must leave no process and no directory behind."""

from __future__ import annotations

import shutil
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


@pytest.fixture
def nothing_left_behind(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """After the test: no child process of ours alive, no temporary directory of ours left.

    The test gets a temporary folder of its own (TMPDIR, for this process and the bench it
    starts): in the machine's /tmp, another test's or another run's topology directory
    (beside it under xdist, or anyone's on a shared machine) would count as ours. A short
    one, right in /tmp: HAProxy's socket path inside it may not exceed 97 characters."""
    tmp_path_factory.getbasetemp()  # pytest's own folder stays where it is, not in ours
    private = Path(tempfile.mkdtemp(prefix="al-"))
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    try:
        yield
        children = [c for c in psutil.Process().children(recursive=True) if c.is_running()]
        alive = [c for c in children if c.status() != psutil.STATUS_ZOMBIE]
        assert not alive, f"processes left behind: {[c.cmdline()[:3] for c in alive]}"
        left = [path for pattern in OUR_TEMPORARY for path in private.glob(pattern)]
        assert not left, f"left behind: {left}"
    finally:
        shutil.rmtree(private, ignore_errors=True)
