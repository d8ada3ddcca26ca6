"""The authlab command line: serve, users, keys, bench, report, compare, security, browsers,
flamegraph, explore, notebook."""

from __future__ import annotations

from collections.abc import Callable

import typer

from authlab.commands import (
    cmd_bench,
    cmd_browsers,
    cmd_compare,
    cmd_explore,
    cmd_flamegraph,
    cmd_keys,
    cmd_notebook,
    cmd_report,
    cmd_security,
    cmd_serve,
    cmd_users,
)

# The one place the CLI is assembled: each command in its own module (authlab/commands/),
# listed in the order `authlab --help` shows them (typer lists groups after commands).
COMMANDS: dict[str, Callable[..., None]] = {
    "bench": cmd_bench.bench,
    "flamegraph": cmd_flamegraph.flamegraph,
    "report": cmd_report.report,
    "compare": cmd_compare.compare,
    "security": cmd_security.security,
    "browsers": cmd_browsers.browsers,
    "explore": cmd_explore.command,
    "notebook": cmd_notebook.command,
}
GROUPS = {"serve": cmd_serve.app, "users": cmd_users.app, "keys": cmd_keys.app}

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
for name, command in COMMANDS.items():
    app.command(name)(command)
for name, group in GROUPS.items():
    app.add_typer(group, name=name)


def main() -> None:
    app()
