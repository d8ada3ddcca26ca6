"""`authlab serve session|token|baseline`: run one of the servers.

The options are Settings' fields (authlab/settings_argv.py derives them from the dataclass).
"""

from __future__ import annotations

import typer

from authlab.settings_argv import serve_command
from servers.config import Settings, Variant

app = typer.Typer(no_args_is_help=True, help="Run one of the servers.")


def _run(settings: Settings, plain_twin: bool = False) -> None:
    from authlab.serve import serve

    try:
        serve(settings, plain_twin)
    except (ValueError, OSError, RuntimeError) as error:
        typer.echo(f"authlab: {error}", err=True)
        raise typer.Exit(2) from error


def _run_later(settings: Settings, plain_twin: bool) -> None:
    # Looked up at call time, so that a test can replace _run.
    _run(settings, plain_twin)


SUMMARIES: dict[Variant, str] = {
    "session": "The session server: a signed opaque id, the session in a store.",
    "token": "The token server: PyJWT access tokens, refresh tokens, optional deny list.",
    "baseline": "The no-auth floor: the same app with the credential check skipped. Never deploy.",
}
for _variant, _summary in SUMMARIES.items():
    app.command(_variant)(serve_command(_variant, _run_later, _summary))
