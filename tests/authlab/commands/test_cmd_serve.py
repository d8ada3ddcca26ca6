"""`authlab serve session|token|baseline` through the assembled CLI: the Settings each
command hands to the server, what its --help lists, and bad values as usage errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from authlab import cli
from authlab.bench.variants import VARIANTS
from authlab.commands import cmd_serve
from authlab.security.configs import CONFIGURATIONS
from authlab.settings_argv import OPTIONS, serve_argv
from servers.config import CHEAP_ARGON2, Settings

SPECS = [
    *((v.name, v.settings) for v in VARIANTS.values()),
    *((c.name, c.settings) for c in CONFIGURATIONS),
]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Settings, bool]]:
    """What the serve commands hand to the server, instead of starting one."""
    seen: list[tuple[Settings, bool]] = []
    monkeypatch.setattr(cmd_serve, "_run", lambda got, twin=False: seen.append((got, twin)))
    return seen


def _deployed(settings: Settings, tmp_path: Path) -> Settings:
    """Everything a launcher adds."""
    where: dict[str, Any] = {
        "port": 12345,
        "database_url": f"sqlite:///{tmp_path / 'users.sqlite3'}",
        "workers": 2,
        "argon2": CHEAP_ARGON2,
        "redis_url": "redis://127.0.0.1:1/0",
        "redis_prefix": "lab-2:",
        "key_dir": str(tmp_path / "keys"),
    }
    return settings.replace(**where)


def _resolved(settings: Settings) -> Settings:
    """As the server reads them: the transport and CSRF defence the defaults leave open."""
    return settings.replace(transport=settings.effective_transport, csrf=settings.effective_csrf)


@pytest.mark.parametrize(("name", "settings"), SPECS, ids=[name for name, _ in SPECS])
def test_serve_argv_makes_a_server_with_exactly_these_settings(
    name: str, settings: Settings, tmp_path: Path, served: list[tuple[Settings, bool]]
) -> None:
    expected = _deployed(settings, tmp_path)
    result = CliRunner().invoke(cli.app, serve_argv(expected))
    assert result.exit_code == 0, result.output
    ((got, twin),) = served
    assert _resolved(got) == _resolved(expected)
    assert not twin
    CliRunner().invoke(cli.app, serve_argv(expected, plain_twin=True))
    assert served[-1] == (got, True)


@pytest.mark.parametrize("variant", ["session", "token", "baseline"])
def test_help_lists_the_fields_of_the_variant_and_hides_the_labs_own(variant: str) -> None:
    result = CliRunner().invoke(cli.app, ["serve", variant, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    listed = {option.flag for option in OPTIONS if variant in option.described.listed_in}
    shown = {word for word in result.output.split() if word.startswith("--")} - {"--help"}
    assert shown == listed
    assert "--redis-prefix" not in shown  # accepted (a launcher's), never listed


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--port", "70000"], "'--port': Input should be less than or equal to 65535"),
        (["--workers", "0"], "'--workers': Input should be greater than or equal to 1"),
        (["--csrf", "maybe"], "say on or off"),
        (["--transport", "carrier-pigeon"], "'carrier-pigeon' is not one of"),
        (["--database-url", "mysql://x/y"], "sqlite:///PATH"),
        (["--redis-url", "redis+sentinel://h:1"], "name the service"),
        (["--argon2-time-cost", "0"], "'--argon2-time-cost': Input should be greater than"),
        (["--session-ttl", "soon"], "'--session-ttl': Input should be a valid integer"),
    ],
    ids=["port", "workers", "csrf", "transport", "database", "sentinel", "argon2", "ttl"],
)
def test_bad_values_are_usage_errors_not_tracebacks(
    args: list[str], expected: str, served: list[tuple[Settings, bool]]
) -> None:
    result = CliRunner().invoke(cli.app, ["serve", "session", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert expected in " ".join(result.output.split())
    assert served == []  # nothing was started
