"""Free loopback ports for the processes a run starts."""

from __future__ import annotations

import errno
import random
import socket
from pathlib import Path

# Locust's own default web UI port, where `authlab explore` puts it unless told otherwise.
LOCUST_WEB_PORT = 8089


# free_port looks below the kernel's ephemeral range first. The kernel picks from that range
# the port of every bind to port 0 and the source port of every outgoing connection (a
# Locust phase opens thousands): a port that bind(0) handed out and released could become a
# connection's source before our server bound it, and the server would fail with "address
# already in use". Above the well-known services (PostgreSQL 5432, Redis 6379, ...).
LOWEST_PORT = 10_000
PORT_TRIES = 100
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Drawn from the system's randomness: forked test workers share no generator state.
_RANDOM = random.SystemRandom()


def _ephemeral_low() -> int:
    """Where the kernel's ephemeral range starts (Linux reads it; elsewhere Linux's default,
    which is no higher than macOS's or Windows' start)."""
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (another process may still take it first),
    below the ephemeral range where one is free there, else one the kernel picks."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    below = range(LOWEST_PORT, _ephemeral_low())
    for port in _RANDOM.sample(below, min(PORT_TRIES, len(below))):
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        found: int = probe.getsockname()[1]
        return found


class PortUnavailable(Exception):
    """Nothing can listen on the port asked for; the message says what to do."""


def check_free(port: int, host: str = "127.0.0.1", option: str = "--port") -> None:
    """Fail before anything starts, rather than with a child that dies on bind later."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortUnavailable(
                    f"port {port} on {host} is taken: pass {option} with another one "
                    "(0 picks a free one)"
                ) from error
            raise PortUnavailable(f"cannot listen on {host}:{port}: {error.strerror}") from error
