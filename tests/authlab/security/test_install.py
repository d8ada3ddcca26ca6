"""`authlab browsers` (make browsers): what it finds and starts, what it gets, and that it
says plainly when it cannot.

Playwright's download is stood in for by a command of the test's own (the real one
needs the network): one that fails, and one that puts the machine's Chromium where
Playwright's cache keeps it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from authlab.cli import app
from authlab.security import discovery, install
from authlab.security.discovery import playwright_chromium
from tests.authlab.security.conftest import Places, fake
from tests.conftest import browser_or_skip


def _browsers() -> tuple[int, str]:
    result = CliRunner().invoke(app, ["browsers"])
    return result.exit_code, result.output


def test_when_it_cannot_get_one_it_says_so_and_names_the_command(
    places: Places, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = [sys.executable, "-c", "import sys; sys.exit(3)"]
    monkeypatch.setattr(install, "PLAYWRIGHT_INSTALL", failing)
    code, output = _browsers()
    assert code == 1
    assert "chromium: Playwright's download failed (exit 3)" in output
    assert "chromium: no Chromium found" in output
    assert (
        f"chromium: cannot install Chromium from here; run {install.package_commands('chromium')}"
        in output
    )
    assert (
        f"firefox: cannot install Firefox from here; run {install.package_commands('firefox')}"
        in output
    )
    assert (
        "not ready: chromium, firefox; until then the claims that need Chromium and Firefox"
        in output
    )


def test_a_browser_that_does_not_start_is_named_with_its_first_line(places: Places) -> None:
    broken = fake(places.first_on_path / "firefox", "echo 'no DISPLAY, no luck' >&2; exit 1")
    fake(places.first_on_path / "chromium")  # exits at once too, silently
    code, output = _browsers()
    assert code == 1
    assert f"firefox: the browser at {broken} did not start: no DISPLAY, no luck" in output
    assert "firefox: repair it" in output
    assert "downloading" not in output  # a Chromium was found: nothing to download


@pytest.mark.browser
def test_a_downloaded_chromium_is_found_in_playwrights_cache_and_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = browser_or_skip("chromium").path
    browser_or_skip("firefox")
    # No Chromium under any of its names; Firefox stays where the machine has it.
    monkeypatch.delenv("AUTHLAB_CHROMIUM", raising=False)
    monkeypatch.setitem(discovery.ON_PATH, "chromium", ("no-chromium",))
    monkeypatch.setattr(discovery, "APPLICATIONS", tmp_path / "Applications")
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "pw"))
    cache = playwright_chromium()
    assert cache is not None
    download = (
        f"import os; os.makedirs({str(cache.parent)!r}); os.symlink({str(real)!r}, {str(cache)!r})"
    )
    monkeypatch.setattr(install, "PLAYWRIGHT_INSTALL", [sys.executable, "-c", download])
    code, output = _browsers()
    assert code == 0, output
    assert f"chromium: none found; downloading it with `{sys.executable} -c import os" in output
    assert f"at {cache} (found by Playwright's cache" in output
    assert "both browsers run" in output
