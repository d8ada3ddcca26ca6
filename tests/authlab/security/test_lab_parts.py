"""The lab's small parts: configurations, --only, the U test, the schema check, cleanup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from authlab.cli import app
from authlab.security import discovery, hardening, lab
from authlab.security.configs import BY_NAME, CONFIGURATIONS
from authlab.security.hardening import mann_whitney_u
from authlab.security.lab import LabOptions, parse_only, run_lab
from authlab.security.lab_servers import Fleet, LabServer
from authlab.security.schema import SECTIONS, TOP_LEVEL_KEYS, validate
from authlab.settings_argv import serve_argv


def test_every_configuration_of_the_issue_is_there() -> None:
    names = [config.name for config in CONFIGURATIONS]
    assert len(names) == len(set(names)) == 13
    for samesite in ("strict", "lax", "none", "unset"):
        for csrf in (True, False):
            config = BY_NAME[f"session-{samesite}-csrf-{'on' if csrf else 'off'}"]
            assert (config.variant, config.transport, config.samesite, config.csrf) == (
                "session", "cookie", samesite, csrf,
            )  # fmt: skip
    header_session = BY_NAME["session-header"]
    assert (header_session.variant, header_session.transport) == ("session", "header")
    assert not header_session.ambient and header_session.cookie_name is None
    assert BY_NAME["token-header"].revocation == "none"
    assert BY_NAME["token-header-denylist"].revocation == "denylist"
    assert BY_NAME["token-cookie-none-csrf-on"].csrf
    assert not BY_NAME["token-cookie-none-csrf-off"].csrf


def test_serve_argv_says_what_the_settings_say(tmp_path: Path) -> None:
    settings = BY_NAME["session-unset-csrf-off"].deploy(tmp_path, "redis://127.0.0.1:1/0", 1234)
    argv = serve_argv(settings)
    assert argv[:2] == ["serve", "session"]
    assert argv[argv.index("--cookie-samesite") + 1] == "unset"
    assert argv[argv.index("--csrf") + 1] == "off"
    assert argv[argv.index("--argon2-memory-kib") + 1] == "1024"
    token = (
        BY_NAME["token-header-denylist"].renamed("t", access_ttl=7).deploy(tmp_path, "redis://x")
    )
    argv = serve_argv(token)
    assert argv[argv.index("--revocation") + 1] == "denylist"
    assert argv[argv.index("--access-ttl") + 1] == "7"


def test_only_takes_sections_and_configurations() -> None:
    assert parse_only(None) == (SECTIONS, None)
    assert parse_only("xss,token-header") == (("xss",), ["token-header"])
    assert parse_only("session-lax-csrf-on") == (SECTIONS, ["session-lax-csrf-on"])
    with pytest.raises(ValueError, match="no-such"):
        parse_only("xss,no-such")


def test_cli_refuses_an_unknown_name() -> None:
    result = CliRunner().invoke(app, ["security", "--only", "bogus"])
    assert result.exit_code == 2
    assert "bogus" in result.output


def test_mann_whitney_u() -> None:
    separated = mann_whitney_u([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [7.0, 8.0, 9.0, 10.0, 11.0, 12.0])
    assert separated["u"] == 0
    assert separated["p_value"] < 0.01
    # By hand: U=0, mean 18, variance 6*6*13/12 = 39, z = 17.5/sqrt(39) = 2.802, p = 0.00507
    # (scipy.stats.mannwhitneyu(a, b, method="asymptotic") computes the same).
    assert separated["p_value"] == pytest.approx(0.005075, abs=1e-5)
    same = mann_whitney_u([1.0, 3.0, 5.0, 7.0], [2.0, 4.0, 6.0, 8.0])
    assert same["p_value"] > 0.5
    ties = mann_whitney_u([1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    assert ties["p_value"] == 1.0


def test_schema_check_finds_what_is_missing() -> None:
    assert validate({}) == [f"missing top-level key {key!r}" for key in TOP_LEVEL_KEYS]
    document: dict[str, Any] = {key: {"skipped": "x"} for key in TOP_LEVEL_KEYS}
    document.update(
        schema_version=1,
        configurations=[{"name": "a", "variant": "session", "transport": "cookie"}],
        attacks=[{"configuration": "a"}],
        summary={"all_passed": True, "matrix": [], "claims": []},
    )
    problems = validate(document)
    assert "attacks row lacks 'attack'" in problems
    document["attacks"] = []
    assert validate(document) == []


def _port_closed(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
    except httpx.TransportError:
        return True
    return False


def test_a_failing_section_still_stops_every_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[LabServer] = []
    real_start = Fleet.start

    def recording_start(self: Fleet, configs: Any) -> list[LabServer]:
        servers = real_start(self, configs)
        started.extend(servers)
        return servers

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom in the middle of the lab")

    monkeypatch.setattr(Fleet, "start", recording_start)
    monkeypatch.setattr(hardening, "throttle", broken)
    options = LabOptions(
        out=tmp_path,
        sections=("hardening",),
        configurations=["session-lax-csrf-on"],
        timing_tries=2,
        quick=True,
    )
    with pytest.raises(RuntimeError, match="boom"):
        run_lab(options)
    assert {server.name for server in started} == {
        lab.TIMING_CONFIG.name,
        lab.FAST_CONFIG.name,
        "session-lax-csrf-on",
    }
    for server in started:
        assert server.tracked.process.poll() is not None, f"{server.name} still runs"
        assert _port_closed(server.port)
    # The run folder has its manifest even though the run failed.
    manifests = list(tmp_path.glob("*/manifest.json"))
    assert len(manifests) == 1
    assert json.loads(manifests[0].read_text())["kind"] == "security"


def _no_browser_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTHLAB_CHROMIUM", raising=False)
    monkeypatch.delenv("AUTHLAB_FIREFOX", raising=False)
    monkeypatch.setattr(discovery, "ON_PATH", {"chromium": ("no-chromium",), "firefox": ()})
    monkeypatch.setattr(discovery, "APPLICATIONS", tmp_path / "Applications")
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-playwright-browsers"))


def test_without_browsers_the_browser_sections_say_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_browser_anywhere(tmp_path, monkeypatch)
    options = LabOptions(out=tmp_path, sections=("xss",), configurations=["token-header"])
    document = run_lab(options).document
    reason = document["xss"]["skipped"]
    assert reason.startswith("no Chromium found")
    assert "; no Firefox found" in reason
    assert document["environment"]["browser_executables"] == {}


def test_under_require_browser_a_missing_browser_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What CI (AUTHLAB_REQUIRE_SERVICES=1) relies on: no silent skip of the browser part."""
    _no_browser_anywhere(tmp_path, monkeypatch)
    options = LabOptions(
        out=tmp_path, sections=("xss",), configurations=["token-header"], require_browser=True
    )
    with pytest.raises(RuntimeError, match="the browser sections need chromium: no Chromium found"):
        run_lab(options)
