"""The one fleet: a Settings becomes exactly that server, healthy, and stopped with the group."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from authlab import cli
from authlab.bench.variants import VARIANTS
from authlab.fleet import Fleet, serve_argv
from authlab.processes import ProcessGroup
from authlab.security.configs import CONFIGURATIONS
from servers.config import CHEAP_ARGON2, Settings

SPECS = [
    *((v.name, v.settings) for v in VARIANTS.values()),
    *((c.name, c.settings) for c in CONFIGURATIONS),
]


def _deployed(settings: Settings, tmp_path: Path) -> Settings:
    """Everything a launcher adds (a baseline keeps no Redis or keys of its own)."""
    where: dict[str, Any] = {
        "port": 12345,
        "database_url": f"sqlite:///{tmp_path / 'users.sqlite3'}",
        "workers": 2,
        "argon2": CHEAP_ARGON2,
    }
    if settings.variant != "baseline":
        where.update(redis_url="redis://127.0.0.1:1/0", key_dir=str(tmp_path / "keys"))
    return settings.replace(**where)


@pytest.mark.parametrize(("name", "settings"), SPECS, ids=[name for name, _ in SPECS])
def test_serve_argv_makes_a_server_with_exactly_these_settings(
    name: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _deployed(settings, tmp_path)
    seen: list[tuple[Settings, bool]] = []
    monkeypatch.setattr(cli, "_run", lambda got, plain_twin=False: seen.append((got, plain_twin)))
    result = CliRunner().invoke(cli.app, serve_argv(expected))
    assert result.exit_code == 0, result.output
    ((got, twin),) = seen
    # Compared as the server reads them: what the defaults leave open is resolved.
    assert (got.effective_transport, got.effective_csrf) == (
        expected.effective_transport,
        expected.effective_csrf,
    )
    assert got.replace(transport=None, csrf=None) == expected.replace(transport=None, csrf=None)
    assert not twin
    CliRunner().invoke(cli.app, serve_argv(expected, plain_twin=True))
    assert seen[-1][1]


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
