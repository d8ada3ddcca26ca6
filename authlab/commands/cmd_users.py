"""`authlab users add|seed|disable|enable`: manage the shared user store."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Coroutine
from typing import Annotated, Any, TypeVar

import typer

from authlab.settings_argv import checked, field_option
from servers import command_line
from servers.config import DEFAULT_DATABASE_URL, Argon2Params, Settings

T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, help="Manage the shared user store.")

# Settings' fields, described as `authlab serve` describes them.
DatabaseOption = Annotated[str, field_option("database_url")]
Argon2MemoryOption = Annotated[int, field_option("argon2_memory_kib")]
Argon2TimeOption = Annotated[int, field_option("argon2_time_cost")]
# The servers' default argon2id cost (OWASP's), the default of every --argon2-* option.
OWASP_ARGON2 = Argon2Params()


def _admin(work: Coroutine[Any, Any, T]) -> T:
    """Run one administrative coroutine; an unreachable store is a message, not a traceback."""
    from servers.errors import StoreUnavailable

    try:
        return asyncio.run(work)
    except StoreUnavailable as error:
        typer.echo(f"authlab: {error}", err=True)
        raise typer.Exit(1) from error


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        typer.echo("authlab: the passwords differ", err=True)
        raise typer.Exit(2)
    return first


def _validate_username(name: str) -> str:
    from servers.payloads import USERNAME_PATTERN

    if not USERNAME_PATTERN.fullmatch(name):
        raise typer.BadParameter("3-64 of letters, digits, '_', '.', '-'")
    return name


@app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(callback=_validate_username)],
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    database_url: DatabaseOption = DEFAULT_DATABASE_URL,
    argon2_memory_kib: Argon2MemoryOption = OWASP_ARGON2.memory_kib,
    argon2_time_cost: Argon2TimeOption = OWASP_ARGON2.time_cost,
) -> None:
    """Add one user (password from a prompt, or one line of stdin)."""
    from authlab.admin import add_user
    from servers.payloads import PASSWORD_MAX, PASSWORD_MIN

    password = _read_password(password_stdin)
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        typer.echo(f"authlab: a password has {PASSWORD_MIN}-{PASSWORD_MAX} characters", err=True)
        raise typer.Exit(2)
    params = Argon2Params(memory_kib=argon2_memory_kib, time_cost=argon2_time_cost)
    settings = Settings(database_url=database_url, argon2=params)
    if not _admin(add_user(settings, name, password)):
        typer.echo(f"authlab: '{name}' already exists", err=True)
        raise typer.Exit(1)
    typer.echo(f"added {name}")


@app.command("seed")
def users_seed(
    count: Annotated[int, typer.Argument(min=1, max=10_000_000)],
    prefix: Annotated[str, typer.Option(help="names are PREFIX000000, PREFIX000001, ...")] = "user",
    password: Annotated[str, typer.Option(help="the one password of every seeded user")] = (
        "authlab-load-password"  # noqa: S107 - a load-test account, not a secret
    ),
    database_url: DatabaseOption = DEFAULT_DATABASE_URL,
    argon2_memory_kib: Argon2MemoryOption = OWASP_ARGON2.memory_kib,
    argon2_time_cost: Argon2TimeOption = OWASP_ARGON2.time_cost,
) -> None:
    """Create COUNT users for load tests (existing names are kept)."""
    from authlab.admin import seed_users

    params = Argon2Params(memory_kib=argon2_memory_kib, time_cost=argon2_time_cost)
    created = _admin(
        seed_users(Settings(database_url=database_url, argon2=params), count, prefix, password)
    )
    typer.echo(f"seeded {created} new users ({count - created} existed already)")


def _set_disabled(name: str, disabled: bool, database_url: str, redis_url: str | None) -> None:
    from authlab.admin import set_disabled

    settings = Settings(database_url=database_url, redis_url=redis_url)
    report = _admin(set_disabled(settings, name, disabled))
    if report is None:
        typer.echo(f"authlab: no user '{name}'", err=True)
        raise typer.Exit(1)
    typer.echo(f"{'disabled' if disabled else 'enabled'} {name}")
    for place in report.reached:
        typer.echo(f"  credentials ended in: {place}")
    for place in report.not_reached:
        typer.echo(f"  not reached: {place}")


@app.command("disable")
def users_disable(
    name: str,
    database_url: DatabaseOption = DEFAULT_DATABASE_URL,
    redis_url: Annotated[
        str | None,
        typer.Option(
            help="end Redis sessions and tokens too", callback=checked(command_line.redis_url)
        ),
    ] = None,
) -> None:
    """Disable an account and end the credentials it holds, where they can be reached."""
    _set_disabled(name, True, database_url, redis_url)


@app.command("enable")
def users_enable(name: str, database_url: DatabaseOption = DEFAULT_DATABASE_URL) -> None:
    """Enable an account again."""
    _set_disabled(name, False, database_url, None)
