"""`authlab bench`: run a profile, show progress, print the summary and where results are."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def bench(
    profile: Annotated[
        str, typer.Option(help="smoke | quick | standard | full | cloud (the cloud topology)")
    ] = "standard",
    only: Annotated[
        str | None,
        typer.Option(
            help="comma-separated variants, e.g. session-redis,token-hs256 ('none': targets only)"
        ),
    ] = None,
    target_url: Annotated[
        str | None, typer.Option(help="load a server started elsewhere (with --only VARIANT)")
    ] = None,
    redis_url: Annotated[
        str | None, typer.Option(help="use this Redis instead of private ones")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="user store (default: a fresh SQLite file)")
    ] = None,
    postgres_url: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL server for the store experiments (a scratch database is made there)"
        ),
    ] = os.environ.get("AUTHLAB_POSTGRES_URL"),
    results: Annotated[Path, typer.Option(help="where results/<run-id>/ goes")] = Path("results"),
    locust_processes: Annotated[int, typer.Option(min=1, help="Locust worker processes")] = 1,
    experiments: Annotated[
        str | None,
        # Not listed here: naming them would import every experiment (and the HTTP client,
        # Redis and uvicorn with them) for every command, `authlab serve` included.
        typer.Option(help="comma-separated experiments (an unknown name lists them); or 'none'"),
    ] = None,
    repetitions: Annotated[
        int | None,
        typer.Option(min=1, help="repetitions of the load phases (default: the profile's)"),
    ] = None,
    target: Annotated[
        list[Path] | None,
        typer.Option(
            help="a target file describing a server the lab did not write (repeat for "
            "several): verified, then loaded beside the variants; see README"
        ),
    ] = None,
    report: Annotated[bool, typer.Option(help="write report/index.html at the end")] = True,
    runs: Annotated[
        int,
        typer.Option(
            min=1,
            help="run the profile this many times, each in its own folder, and count per "
            "claim how many runs gave the same verdict (repeat.json in the last folder)",
        ),
    ] = 1,
    security: Annotated[
        str | None,
        typer.Option(
            help="security.json for the report's security claims, or 'latest' for the "
            "newest one under --results (from `authlab security`)"
        ),
    ] = None,
) -> None:
    """Drive every variant with the same Locust load and record everything."""
    from authlab.bench.console_runs import console, run_profile, security_file
    from authlab.bench.experiments import REGISTRY
    from authlab.bench.profiles import get_profile
    from authlab.bench.runner import BenchOptions

    try:
        chosen_security = security_file(security, results)
        chosen = (
            tuple(e for e in experiments.split(",") if e and e != "none") if experiments else None
        )
        known = set(REGISTRY)
        if chosen and set(chosen) - known:
            raise ValueError(
                f"unknown experiment(s): {', '.join(sorted(set(chosen) - known))} "
                f"(known: {', '.join(REGISTRY)})"
            )
        options = BenchOptions(
            profile=get_profile(profile, repetitions),
            only=only,
            target_url=target_url,
            redis_url=redis_url,
            database_url=database_url,
            postgres_url=postgres_url,
            results_root=results,
            locust_processes=locust_processes,
            experiments=chosen,
            security_file=chosen_security,
            targets=tuple(target or ()),
        )
        interrupted = run_profile(options, runs, profile, chosen_security, report)
    except ValueError as error:
        # As written: a path folded at the terminal's width cannot be copied, and a TOML
        # table's "[start]" in the message is not rich markup.
        console.print(f"authlab: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from error
    if interrupted:
        raise typer.Exit(130)
