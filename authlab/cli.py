"""The authlab command line: serve, users, keys, bench, report, compare, security, browsers,
flamegraph, explore, notebook."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlparse

import typer

from authlab.commands import cmd_serve
from servers.config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_KEY_DIR,
    Algorithm,
    Argon2Params,
    Settings,
)

T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
users_app = typer.Typer(no_args_is_help=True, help="Manage the shared user store.")
keys_app = typer.Typer(no_args_is_help=True, help="Manage signing keys.")
app.add_typer(cmd_serve.app, name="serve")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")


# URLs are checked here, before any process starts: a bad one found later, in a
# uvicorn worker or deep in a store, would surface as a traceback.
def _check_database_url(url: str) -> str:
    if url.startswith("sqlite:///") or urlparse(url).scheme in ("postgresql", "postgres"):
        return url
    raise typer.BadParameter(f"{url!r}: use sqlite:///PATH or postgresql://user@host/db")


def _check_redis_url(url: str | None) -> str | None:
    if url is None or urlparse(url).scheme in ("redis", "rediss", "unix"):
        return url
    if urlparse(url).scheme == "redis+sentinel":
        from servers.redis_client import parse_sentinel_url

        try:
            parse_sentinel_url(url)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from error
        return url
    raise typer.BadParameter(
        f"{url!r}: use redis://host:port/db, rediss://..., unix://... or "
        "redis+sentinel://host:port[,host:port...]/service[/db]"
    )


DatabaseOption = Annotated[
    str,
    typer.Option(
        help="sqlite:///PATH (default) or postgresql://user@host/db", callback=_check_database_url
    ),
]
KeyDirOption = Annotated[
    Path, typer.Option(help="Where keys and secrets are kept (made on first run).")
]
# The servers' default argon2id cost (OWASP's), the default of every --argon2-* option.
OWASP_ARGON2 = Argon2Params()
Argon2MemoryOption = Annotated[int, typer.Option(help="argon2id memory in KiB (OWASP: 19456)")]
Argon2TimeOption = Annotated[int, typer.Option(help="argon2id iterations (OWASP: 2)")]


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


@users_app.command("add")
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


@users_app.command("seed")
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


@users_app.command("disable")
def users_disable(
    name: str,
    database_url: DatabaseOption = DEFAULT_DATABASE_URL,
    redis_url: Annotated[
        str | None,
        typer.Option(help="end Redis sessions and tokens too", callback=_check_redis_url),
    ] = None,
) -> None:
    """Disable an account and end the credentials it holds, where they can be reached."""
    _set_disabled(name, True, database_url, redis_url)


@users_app.command("enable")
def users_enable(name: str, database_url: DatabaseOption = DEFAULT_DATABASE_URL) -> None:
    """Enable an account again."""
    _set_disabled(name, False, database_url, None)


@keys_app.command("rotate")
def keys_rotate(
    alg: Algorithm,
    key_dir: KeyDirOption = Path(DEFAULT_KEY_DIR),
) -> None:
    """Add a signing key for ALG: it signs from now on, the old ones still verify."""
    from servers.tokens.keys import add_key

    path = add_key(key_dir, alg)
    typer.echo(f"new {alg} key: {path}")


def _register_bench() -> None:
    from authlab.bench.cli import bench

    app.command("bench")(bench)


_register_bench()


@app.command("flamegraph")
def flamegraph(
    variant: Annotated[str, typer.Argument(help="a benchmark variant, e.g. token-hs256")],
    out: Annotated[Path | None, typer.Option(help="SVG to write")] = None,
    seconds: Annotated[int, typer.Option(min=2, max=600, help="length of the load")] = 8,
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


def _register_report() -> None:
    from authlab.report import report

    app.command("report")(report)


_register_report()


def _register_compare() -> None:
    from authlab.compare import compare

    app.command("compare")(compare)


_register_compare()


def _register_security() -> None:
    from authlab.security.command import security

    app.command("security")(security)


_register_security()


def _register_browsers() -> None:
    from authlab.security.install import browsers

    app.command("browsers")(browsers)


_register_browsers()


def _register_explore() -> None:
    from authlab.explore import command

    app.command("explore")(command)


_register_explore()


def _register_notebook() -> None:
    from authlab.notebook import command

    app.command("notebook")(command)


_register_notebook()


def main() -> None:
    app()
