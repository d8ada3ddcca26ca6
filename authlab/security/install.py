"""What `authlab browsers` (`make browsers`) does: find each browser the lab drives, start it once,
and get a missing Chromium where this machine allows.

Chromium comes from Playwright's own download where the network has it (into
Playwright's cache, where discovery.py looks last). Firefox cannot come that way
(Playwright's Firefox is a patched build, not the stock one the lab drives over
WebDriver BiDi), and the system's package manager needs the administrator: for those
the command prints the package manager's command to run, and says that it could not.
"""

from __future__ import annotations

import platform
import subprocess
import sys

import typer

from authlab.security.browser import BROWSERS, BrowserDidNotStart, BrowserName, BrowserUnavailable
from authlab.security.discovery import (
    ENVIRONMENT,
    INSTALL,
    LABELS,
    BrowserNotFound,
    find_browser,
    open_browser,
)

PLAYWRIGHT_INSTALL = [sys.executable, "-m", "playwright", "install", "chromium"]
DOWNLOAD_TIMEOUT_S = 900


def this_platform() -> str | None:
    """The platform's name as INSTALL spells it (macOS, Ubuntu, Debian, Fedora), if known."""
    if sys.platform == "darwin":
        return "macOS"
    try:
        release = platform.freedesktop_os_release()
    except OSError:
        return None
    family = [release.get("ID", ""), *release.get("ID_LIKE", "").split()]
    for os_id, name in (("ubuntu", "Ubuntu"), ("debian", "Debian"), ("fedora", "Fedora")):
        if os_id in family:
            return name
    return None


def package_commands(name: BrowserName) -> str:
    """This platform's install command, or every platform's where it is not one we know."""
    mine = [command for where, command in INSTALL[name] if where == this_platform()]
    if mine:
        return f"`{mine[0]}`"
    return "; ".join(f"{where}: `{command}`" for where, command in INSTALL[name])


def check(name: BrowserName) -> BrowserUnavailable | None:
    """Find the browser and start it once: None when it runs (printed), else why not."""
    try:
        found = find_browser(name)
        with open_browser(found) as browser:
            version = browser.version
    except BrowserUnavailable as error:
        return error
    typer.echo(f"{name}: {version} at {found.path} (found by {found.found_by})")
    return None


def download_chromium() -> bool:
    typer.echo(f"chromium: none found; downloading it with `{' '.join(PLAYWRIGHT_INSTALL)}`")
    try:
        done = subprocess.run(PLAYWRIGHT_INSTALL, timeout=DOWNLOAD_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        typer.echo(f"chromium: Playwright's download took over {DOWNLOAD_TIMEOUT_S} s")
        return False
    if done.returncode != 0:
        typer.echo(f"chromium: Playwright's download failed (exit {done.returncode})")
    return done.returncode == 0


def prepare_browsers() -> bool:
    """Find Chromium and Firefox, start each once, and get a missing Chromium where this
    machine allows (Playwright's download); say what to run where it cannot. Whether both
    run."""
    not_ready: list[BrowserName] = []
    for name in BROWSERS:
        error = check(name)
        if isinstance(error, BrowserNotFound) and name == "chromium" and download_chromium():
            error = check(name)
        if error is None:
            continue
        not_ready.append(name)
        typer.echo(f"{name}: {error}")
        if isinstance(error, BrowserNotFound):
            typer.echo(
                f"{name}: cannot install {LABELS[name]} from here; run {package_commands(name)}, "
                f"then `make browsers` again (or set {ENVIRONMENT[name]} to its path)"
            )
        elif isinstance(error, BrowserDidNotStart):
            typer.echo(
                f"{name}: repair it (the package manager's {LABELS[name]}, "
                f"{package_commands(name)}, brings the libraries it needs) or set "
                f"{ENVIRONMENT[name]} to another"
            )
    if not_ready:
        typer.echo(
            f"not ready: {', '.join(not_ready)}; until then the claims that need "
            f'{" and ".join(LABELS[n] for n in not_ready)} (CSRF, XSS) come out "not measured"'
        )
        return False
    typer.echo("both browsers run: every claim can be judged")
    return True
