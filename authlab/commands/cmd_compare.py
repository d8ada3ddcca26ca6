"""`authlab compare RUN_A RUN_B`: two results folders side by side, in the terminal and as
an HTML page (each claim's verdict, its deciding figures with their spread, what changed
and whether beyond the spread; packages on the request path whose versions differ)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RunArgument = Annotated[
    Path, typer.Argument(help="a results folder, e.g. results/<run-id>", show_default=False)
]


def compare(
    run_a: RunArgument,
    run_b: RunArgument,
    html: Annotated[
        Path | None,
        typer.Option(help="where to write the HTML page (default: RUN_B/report/compare-<A>.html)"),
    ] = None,
) -> None:
    """Hold run B against run A: what changed, and whether beyond the spread."""
    from reports.compare import as_text, compare_runs, default_page, write

    for folder in (run_a, run_b):
        if not (folder / "manifest.json").is_file() and not (folder / "summary.csv").is_file():
            typer.echo(f"authlab: no results folder at {folder} (no manifest.json)", err=True)
            raise typer.Exit(2)
    try:
        comparison = compare_runs(run_a, run_b)
    except (ValueError, KeyError, OSError) as error:
        typer.echo(f"authlab: the runs cannot be read as results folders: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(as_text(comparison), nl=False)
    page = write(comparison, html or default_page(comparison))
    typer.echo(f"page: {page}")
