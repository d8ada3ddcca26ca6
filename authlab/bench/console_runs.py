"""A bench run on the terminal (`authlab bench`): progress, the summary and overhead tables,
where the results are, the report at the end."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

if TYPE_CHECKING:
    from authlab.bench.runner import BenchOptions

console = Console(stderr=True)


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    return f"{value:,.{digits}f}"


def print_summary(summary: list[dict[str, Any]]) -> None:
    table = Table(
        title="authlab: GET /me only, logged in beforehand; medians over repetitions (min-max)",
        show_lines=False,
    )
    columns = ("variant", "max rps", "p50 ms", "p99 ms", "server µs/req", "store µs/req",
               "check µs", "in mix µs/req", "login/s", "errors")  # fmt: skip
    for column in columns:
        table.add_column(
            column, no_wrap=column == "variant", justify="left" if column == "variant" else "right"
        )
    for row in summary:
        # A capacity the generator limited is a lower bound.
        rps = ("≥" if row.get("capacity_at_least") else "") + _fmt(row.get("max_throughput_rps"))
        if row.get("max_throughput_rps_min") is not None and row.get("repetitions", 1) > 1:
            rps += f" ({_fmt(row['max_throughput_rps_min'])}-{_fmt(row['max_throughput_rps_max'])})"
        p50 = row.get("p50_us")
        p99 = row.get("p99_us")
        table.add_row(
            row["variant"] + (" [gen. saturated]" if row.get("generator_saturated") else ""),
            rps,
            _fmt(p50 / 1000 if p50 else None, 2),
            _fmt(p99 / 1000 if p99 else None, 2),
            _fmt(row.get("server_cpu_us_per_request")),
            _fmt(row.get("store_cpu_us_per_request")),
            _fmt(row.get("credential_cpu_us")),
            _fmt(row.get("mix_server_cpu_us_per_request")),
            _fmt(row.get("login_rps"), 1),
            str(row.get("errors", 0)),
        )
    # Piped or logged (make bench | tee), rich would fold the table to 80 columns.
    Console(width=None if sys.stdout.isatty() else 160).print(table)


def print_overhead(rows: list[dict[str, Any]]) -> None:
    """The lab against its yardstick: each server beside its plain twin (servers/plain.py)."""
    from results_format.limits import OVERHEAD_LIMIT

    if not rows:
        return
    table = Table(title="overhead: server + store CPU per GET /me, authlab vs its plain twin")
    for column in ("variant", "plain µs", "authlab µs", "ratio (min-max)", ""):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for row in rows:
        ratio = row["ratio"]
        spread = f"{ratio:.2f} ({row['ratio_min']:.2f}-{row['ratio_max']:.2f})"
        flag = f"above {OVERHEAD_LIMIT}" if ratio > OVERHEAD_LIMIT else ""
        table.add_row(row["variant"], _fmt(row["plain_us"]), _fmt(row["authlab_us"]), spread, flag)
    Console(width=None if sys.stdout.isatty() else 160).print(table)


def security_file(choice: str | None, results: Path) -> Path | None:
    """The security lab's file the report should use: a path, or the newest one."""
    if choice is None:
        return None
    if choice == "latest":
        # `authlab security` runs only: a bench folder's own copy of its browser quick
        # set (security_browser) is not what `make security` just measured.
        found = sorted(results.glob("*-security-*/security.json"))
        if not found:
            raise ValueError(f"no security.json under {results}/: run `authlab security` first")
        return found[-1]  # run ids start with their time, so the last sorts newest
    path = Path(choice)
    if not path.is_file():
        raise ValueError(f"no security results at {path}")
    return path


def run_profile(
    options: BenchOptions, runs: int, profile: str, security: Path | None, report: bool
) -> bool:
    """Run the profile `runs` times, printing each run's tables and writing its report (or
    its decisions.json), then the verdicts' agreement across runs; whether it was
    interrupted. ValueError: a choice the user can correct."""
    directories: list[Path] = []
    for number in range(runs):
        result = _run_once(options, number, runs)
        directories.append(result.directory)
        _print_result(result, profile)
        _write_report(result, security, report or runs > 1, report)
        if result.interrupted:
            break
    if len(directories) > 1:
        from reports.decision_files import write_agreement

        typer.echo(f"verdicts across runs: {write_agreement(directories, directories[-1])}")
        if report:
            from reports.build import build_report

            typer.echo(f"report: {build_report(directories[-1], security)}")
    return bool(result.interrupted)


def _run_once(options: BenchOptions, number: int, runs: int) -> Any:
    from authlab.bench.runner import Bench

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        prefix = f"run {number + 1}/{runs} · " if runs > 1 else ""
        task = progress.add_task(prefix + "starting", total=1.0)
        runner = Bench(
            options,
            lambda what, done: progress.update(task, description=prefix + what, completed=done),
        )
        return runner.run()


def _print_result(result: Any, profile: str) -> None:
    if profile == "cloud":
        from authlab.bench.experiments.cloud_tables import print_tables

        print_tables(result.directory)
    else:
        print_summary(result.summary)
    print_overhead(result.overhead)
    for warning in result.warnings:
        console.print("[yellow]warning:[/yellow]", escape(warning), soft_wrap=True)
    typer.echo(f"results: {result.directory}")
    if profile != "cloud":
        typer.echo(
            "cloud topology (HAProxy, Redis + Sentinel failover, instance kills): "
            "`make bench PROFILE=cloud`"
        )


def _write_report(result: Any, security_file: Path | None, decisions: bool, page: bool) -> None:
    """The report page (which writes decisions.json), or decisions.json alone."""
    if page:
        from reports.build import build_report

        if security_file:
            typer.echo(f"security results: {security_file}")
        elif result.security.get("measured"):
            typer.echo(f"security results: {result.directory / 'security.json'}")
        typer.echo(f"report: {build_report(result.directory, security_file)}")
    elif decisions:
        from reports import verdicts
        from reports.decision_files import write_decisions
        from reports.load import load_run

        run = load_run(result.directory, security_file)
        write_decisions(result.directory, run.run_id, verdicts.claims(run))
