"""`authlab notebook` (what `make notebook` runs): JupyterLab on notebooks/, on loopback."""

from __future__ import annotations

from typing import Annotated

import typer

from authlab import jupyterlab
from authlab.ports import PortUnavailable, check_free


def command(
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="JupyterLab's port on 127.0.0.1; 0: any free")
    ] = jupyterlab.DEFAULT_PORT,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="open it in a web browser")
    ] = True,
) -> None:
    """JupyterLab on notebooks/explore.ipynb, the newest results folder preselected."""
    if not jupyterlab.jupyterlab_installed():
        typer.echo(
            "authlab notebook: JupyterLab is not installed in this environment: "
            "`make notebook` installs it (pip install -e '.[notebook]')",
            err=True,
        )
        raise typer.Exit(2)
    try:
        if port:
            check_free(port, jupyterlab.LOOPBACK)
    except PortUnavailable as error:
        typer.echo(f"authlab notebook: {error}", err=True)
        raise typer.Exit(2) from error
    jupyterlab.start_jupyterlab(port, browser)
