"""The one fleet: a Settings becomes a healthy server, stopped with the group (that the
command line says exactly these Settings: tests/authlab/commands/test_cmd_serve.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from authlab.bench.variants import VARIANTS
from authlab.fleet import Fleet
from authlab.processes import ProcessGroup
from servers.config import CHEAP_ARGON2


class _Impostor(BaseHTTPRequestHandler):
    """Another program that took the port first, and answers /health as well."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def impostor() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Impostor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_lost_its_port_starts_again_on_another(tmp_path: Path, impostor: int) -> None:
    settings = VARIANTS["session-memory"].deploy(
        port=impostor,
        database_url=f"sqlite:///{tmp_path / 'users.sqlite3'}",
        key_dir=str(tmp_path / "keys"),
        argon2=CHEAP_ARGON2,
    )
    with ProcessGroup() as group:
        fleet = Fleet(group, tmp_path / "logs")
        lost = fleet.launch("session-memory", settings)
        server = fleet.wait(lost)
        # The impostor answered /health on the first port: the fleet did not take it for ours.
        assert server.port != impostor
        assert lost.tracked.process.poll() is not None
        assert httpx.get(f"{server.url}/health").json()["status"] == "ok"
        assert server.tracked in group.tracked
    # Stopped with the group, whatever the exit path.
    assert server.tracked.process.poll() is not None
