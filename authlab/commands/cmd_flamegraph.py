"""`authlab flamegraph VARIANT`: where a variant's server spends an authenticated GET /me."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def flamegraph(
    variant: Annotated[str, typer.Argument(help="a benchmark variant, e.g. token-hs256")],
    out: Annotated[Path | None, typer.Option(help="SVG to write")] = None,
    seconds: Annotated[
        int, typer.Option(min=2, max=600, help="seconds sampled, once every user runs")
    ] = 8,
    plain_twin: Annotated[
        bool, typer.Option("--plain-twin", help="profile the variant's plain twin instead")
    ] = False,
) -> None:
    """Where a variant's server spends an authenticated GET /me: a py-spy flame graph."""
    from authlab.bench.flamegraph import FlamegraphUnavailable, record

    target = out or Path("results") / f"flame-{variant}{'-plain' if plain_twin else ''}.svg"
    try:
        typer.echo(f"flame graph: {record(variant, target, seconds, plain_twin)}")
    except (FlamegraphUnavailable, ValueError, RuntimeError) as error:
        typer.echo(f"authlab: {error}", err=True)
        raise typer.Exit(2) from error
