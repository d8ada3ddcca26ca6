"""`authlab explore VARIANT`: one variant started as a benchmark starts it, Locust's web UI on it
(the work is in authlab/explore.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from authlab.ports import LOCUST_WEB_PORT


def command(
    variant: Annotated[
        str | None, typer.Argument(help="the variant to start, as `authlab bench --only` names it")
    ] = None,
    web_port: Annotated[
        int, typer.Option(min=0, max=65535, help="Locust's web UI port on 127.0.0.1; 0: any free")
    ] = LOCUST_WEB_PORT,
    rate: Annotated[
        float, typer.Option(min=0, help="requests/s of each simulated user; 0: closed loop")
    ] = 10.0,
) -> None:
    """Start one variant as the benchmark does and Locust's web UI on it; Ctrl-C stops both."""
    # Imported here, not above: the bench's modules (and Redis, httpx, uvicorn with them)
    # would otherwise load for every command, `authlab serve` and `users` included.
    from authlab.explore import (
        ExploreError,
        Started,
        banner,
        check_port_free,
        explore,
        variant_named,
    )

    try:
        chosen = variant_named(variant)
        if web_port:
            check_port_free(web_port)
    except ExploreError as error:
        typer.echo(f"authlab explore: {error}", err=True)
        raise typer.Exit(2) from error

    def started(what: Started) -> None:
        for line in banner(what, rate):
            typer.echo(line)

    def say(line: str) -> None:
        typer.echo(f"authlab explore: {line}")

    try:
        explore(chosen, web_port, rate, on_started=started, say=say)
    except KeyboardInterrupt:
        typer.echo("authlab explore: stopped, and so is everything it started")
    except (ExploreError, RuntimeError, OSError) as error:
        typer.echo(f"authlab explore: {error}", err=True)
        typer.echo("authlab explore: stopped everything it had started", err=True)
        raise typer.Exit(1) from error
