"""Free loopback ports for the processes a run starts."""

from __future__ import annotations

import errno
import socket

# Locust's own default web UI port, where `authlab explore` puts it unless told otherwise.
LOCUST_WEB_PORT = 8089


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (another process may still take it first)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


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
