"""`authlab keys rotate ALG`: manage signing keys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from authlab.settings_argv import field_option
from servers.config import DEFAULT_KEY_DIR, Algorithm

app = typer.Typer(no_args_is_help=True, help="Manage signing keys.")


@app.command("rotate")
def keys_rotate(
    alg: Algorithm,
    key_dir: Annotated[Path, field_option("key_dir")] = Path(DEFAULT_KEY_DIR),
) -> None:
    """Add a signing key for ALG: it signs from now on, the old ones still verify."""
    from servers.tokens.keys import add_key

    path = add_key(key_dir, alg)
    typer.echo(f"new {alg} key: {path}")
