"""Where the lab finds its browsers: the places users have them, in one order.

Chromium: AUTHLAB_CHROMIUM; chromium, chromium-browser (Fedora, older Ubuntu),
google-chrome, google-chrome-stable on PATH (Ubuntu's snap puts /snap/bin there);
the macOS applications; last the Chromium that `playwright install chromium` put in
Playwright's own cache (asking Playwright where starts its driver, about a second,
so it is the last resort). Firefox: AUTHLAB_FIREFOX; firefox-esr and firefox on
PATH; the macOS application. Playwright's Firefox is its own patched build and is
not looked for: the lab drives a stock Firefox over WebDriver BiDi.

An AUTHLAB_* variable that names nothing runnable is an error, not a hint to look
elsewhere: the user chose that browser, and a different one would run unnoticed.
When nothing is found, the one message (how_to_get) says how to get one.
open_browser starts the browser found (chromium.py, firefox.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from authlab.security.browser import BrowserName, BrowserUnavailable, LabBrowser

ENVIRONMENT: dict[BrowserName, str] = {"chromium": "AUTHLAB_CHROMIUM", "firefox": "AUTHLAB_FIREFOX"}
ON_PATH: dict[BrowserName, tuple[str, ...]] = {
    "chromium": ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
    "firefox": ("firefox-esr", "firefox"),
}
# Inside /Applications or ~/Applications. Looked for on every system (they exist only on
# macOS), so that a test can stand in for the folder anywhere.
MACOS_APPS: dict[BrowserName, tuple[str, ...]] = {
    "chromium": (
        "Chromium.app/Contents/MacOS/Chromium",
        "Google Chrome.app/Contents/MacOS/Google Chrome",
    ),
    "firefox": ("Firefox.app/Contents/MacOS/firefox",),
}
APPLICATIONS = Path("/Applications")
LABELS: dict[BrowserName, str] = {"chromium": "Chromium", "firefox": "Firefox"}
# The commands that install each browser, per platform: the one list the messages, the
# README and `make browsers` share.
INSTALL: dict[BrowserName, tuple[tuple[str, str], ...]] = {
    "chromium": (
        ("Debian", "sudo apt-get install chromium"),
        ("Ubuntu", "sudo snap install chromium"),
        ("Fedora", "sudo dnf install chromium"),
        ("macOS", "brew install --cask chromium"),
        ("anywhere with the network", ".venv/bin/playwright install chromium"),
    ),
    "firefox": (
        ("Debian", "sudo apt-get install firefox-esr"),
        ("Ubuntu", "sudo snap install firefox"),
        ("Fedora", "sudo dnf install firefox"),
        ("macOS", "brew install --cask firefox"),
    ),
}


class BrowserNotFound(BrowserUnavailable):
    """No source has this browser (the message says how to get one)."""


@dataclass(frozen=True)
class FoundBrowser:
    name: BrowserName
    path: Path
    found_by: str  # "AUTHLAB_CHROMIUM", "PATH (chromium-browser)", "macOS applications", ...

    def describe(self) -> dict[str, str]:
        return {"path": str(self.path), "found_by": self.found_by}


def _runnable(candidate: Path) -> bool:
    return candidate.is_file() and os.access(candidate, os.X_OK)


def _from_environment(name: BrowserName) -> FoundBrowser | None:
    variable = ENVIRONMENT[name]
    value = os.environ.get(variable, "").strip()
    if not value:
        return None
    # A path, or a command name looked up on PATH.
    resolved = shutil.which(value)
    if resolved is None:
        raise BrowserUnavailable(
            f"{variable}={value} is not an executable file: point it at {LABELS[name]}, "
            f"or unset it to let the lab look on PATH"
        )
    return FoundBrowser(name, Path(resolved), variable)


def _from_path(name: BrowserName) -> FoundBrowser | None:
    for command in ON_PATH[name]:
        # shutil.which skips a file without the execute bit and goes on down PATH.
        resolved = shutil.which(command)
        if resolved:
            return FoundBrowser(name, Path(resolved), f"PATH ({command})")
    return None


def _from_applications(name: BrowserName) -> FoundBrowser | None:
    for folder in (APPLICATIONS, Path.home() / "Applications"):
        for app in MACOS_APPS[name]:
            if _runnable(folder / app):
                return FoundBrowser(name, folder / app, "macOS applications")
    return None


def playwright_chromium() -> Path | None:
    """Where `playwright install chromium` puts Chromium (PLAYWRIGHT_BROWSERS_PATH, else
    Playwright's cache folder): Playwright itself knows, whether or not it is there."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as playwright:
            return Path(playwright.chromium.executable_path)
    except Error:  # its driver would not start (inside an asyncio loop, say): no answer
        return None


def _from_playwright(name: BrowserName) -> FoundBrowser | None:
    if name != "chromium":
        return None
    path = playwright_chromium()
    if path is not None and _runnable(path):
        return FoundBrowser(name, path, "Playwright's cache (playwright install chromium)")
    return None


SOURCES: tuple[Callable[[BrowserName], FoundBrowser | None], ...] = (
    _from_environment,
    _from_path,
    _from_applications,
    _from_playwright,
)


def find_browser(name: BrowserName) -> FoundBrowser:
    """The browser the lab runs, from the first source that has one; BrowserNotFound (with
    how_to_get's message) when none has, BrowserUnavailable when AUTHLAB_* names nothing
    runnable."""
    for source in SOURCES:
        found = source(name)
        if found is not None:
            return found
    raise BrowserNotFound(how_to_get(name))


def where_looked(name: BrowserName) -> str:
    places = [ENVIRONMENT[name], ", ".join(ON_PATH[name]) + " on PATH", "(~)/Applications"]
    if name == "chromium":
        places.append("Playwright's cache")
    return "; ".join(places)


def install_commands(name: BrowserName) -> str:
    return "; ".join(f"{where}: `{command}`" for where, command in INSTALL[name])


def how_to_get(name: BrowserName) -> str:
    """The one message for a browser that is nowhere: where the lab looked, how to get one."""
    return (
        f"no {LABELS[name]} found (looked at {where_looked(name)}); to get one: "
        f"{install_commands(name)}; or set {ENVIRONMENT[name]} to its path. `make browsers` "
        "gets one where this machine allows"
    )


def browser_missing(name: BrowserName = "chromium") -> str | None:
    """Why this browser cannot be found here, or None when it can."""
    try:
        find_browser(name)
    except BrowserUnavailable as error:
        return str(error)
    return None


def open_browser(found: FoundBrowser) -> AbstractContextManager[LabBrowser]:
    """The browser found, launched on enter and stopped on exit (Ctrl-C included); a
    launch that fails raises BrowserDidNotStart."""
    if found.name == "chromium":
        from authlab.security.chromium import Chromium

        return Chromium(found.path)
    from authlab.security.firefox import Firefox

    return Firefox(found.path)
