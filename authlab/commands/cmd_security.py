"""`authlab security`: run the security lab, print the matrix, write security.json."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from authlab.security.configs import CONFIGURATIONS
from authlab.security.schema import SECTIONS

_ONLY_HELP = (
    "Comma-separated sections and/or configurations to run. Sections: "
    + ", ".join(SECTIONS)
    + ". Configurations: "
    + ", ".join(config.name for config in CONFIGURATIONS)
)


def security(
    out: Annotated[
        Path | None, typer.Option(help="Results root; the run goes to OUT/<run-id>/.")
    ] = None,
    only: Annotated[str | None, typer.Option(help=_ONLY_HELP)] = None,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help="Fewer samples, the battery once per variant, no two-minute wait (the aged "
            "SameSite-unset cookie is emulated by browsers without the grace period).",
        ),
    ] = False,
    browsers: Annotated[
        str,
        typer.Option(help="Comma-separated browsers for CSRF and XSS: chromium, firefox."),
    ] = "chromium,firefox",
    storage: Annotated[
        str,
        typer.Option(
            help="Where the app keeps a header credential in the XSS experiment, "
            "comma-separated: localStorage, memory (cookie configurations use their "
            "HttpOnly cookie)."
        ),
    ] = "localStorage,memory",
) -> None:
    """Attack every configuration, print the matrix, write results/<run-id>/security.json.

    Sections: the credential attack battery, CSRF and XSS in Chromium and Firefox, the
    revocation window after logout, password change and disable, and login hardening.
    """
    from rich.console import Console

    from authlab.security.browser import BROWSERS, HEADER_STORAGES
    from authlab.security.lab import LabOptions, parse_choice, parse_only, run_lab
    from authlab.security.printed_matrix import render

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)  # a log or a pipe: do not squeeze the matrix into 80
    try:
        sections, configurations = parse_only(only)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--only") from error
    try:
        chosen_browsers = parse_choice(browsers, BROWSERS)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--browsers") from error
    try:
        chosen_storages = parse_choice(storage, HEADER_STORAGES)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--storage") from error
    options = LabOptions(
        out=out,
        sections=sections,
        configurations=configurations,
        quick=quick,
        browsers=chosen_browsers,
        storages=chosen_storages,
        progress=lambda message: console.print(f"[dim]authlab security: {message}[/]"),
    )
    # Ctrl-C also reaches the private Redis and Playwright's driver (same process group),
    # so what surfaces first may be their failure rather than KeyboardInterrupt: remember it.
    interrupted = threading.Event()

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        interrupted.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        run = run_lab(options)
    except BaseException as error:
        if interrupted.is_set() or isinstance(error, KeyboardInterrupt):
            console.print("authlab security: interrupted; every process it started is stopped")
            raise typer.Exit(130) from None
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
    render(run.document, console)
    console.print(f"wrote {run.path}")
    if not run.document["summary"]["all_passed"]:
        raise typer.Exit(1)
