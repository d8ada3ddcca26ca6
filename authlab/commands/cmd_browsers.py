"""`authlab browsers` (`make browsers`): find each browser the lab drives, start it once,
and get a missing Chromium where this machine allows."""

from __future__ import annotations

import typer


def browsers() -> None:
    """Find Chromium and Firefox, start each once, and get a missing Chromium where this
    machine allows (Playwright's download); say what to run where it cannot."""
    from authlab.security.install import prepare_browsers

    if not prepare_browsers():
        raise typer.Exit(1)
