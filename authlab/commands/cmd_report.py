"""`authlab report RUN_DIR`: redraw a run's report from its raw data alone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def report(
    run_dir: Annotated[
        Path,
        typer.Argument(
            help="a results folder, e.g. results/<run-id>", metavar="RUN_DIR", show_default=False
        ),
    ],
    security: Annotated[
        Path | None,
        typer.Option(
            help="security.json from a separate `authlab security` run "
            "(default: RUN_DIR/security.json when there is one)"
        ),
    ] = None,
) -> None:
    """Write RUN_DIR/report/index.html (figures, claims with verdicts, capacity model)."""
    from reports.build import build_report

    if not run_dir.is_dir():
        typer.echo(f"authlab: no results folder at {run_dir}", err=True)
        raise typer.Exit(2)
    if security is not None and not security.is_file():
        typer.echo(f"authlab: no security results at {security}", err=True)
        raise typer.Exit(2)
    try:
        page = build_report(run_dir, security)
    except (ValueError, KeyError) as error:
        typer.echo(f"authlab: {run_dir} cannot be read as a results folder: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"report: {page}")
