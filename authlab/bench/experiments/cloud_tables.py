"""The cloud experiments' tables on the terminal, at the end of `authlab bench --profile
cloud` (the closing note's tables)."""

from __future__ import annotations

from pathlib import Path

from authlab.bench.experiments import REGISTRY
from authlab.bench.experiments.cloud_common import CloudParams

# In the registry's order: the cloud experiments are those with the cloud's parameters.
CLOUD_EXPERIMENTS = tuple(e.name for e in REGISTRY.values() if isinstance(e.params, CloudParams))


def print_tables(results: Path) -> None:
    """Each cloud experiment's CSV as a table on the terminal (the closing note's tables)."""
    import csv
    import sys

    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console(width=None if sys.stdout.isatty() else 200)
    for name in CLOUD_EXPERIMENTS:
        path = results / f"{name}.csv"
        if not path.is_file():
            continue
        with path.open() as handle:
            rows = list(csv.DictReader(handle))
        if not rows:
            continue
        table = RichTable(title=f"{name}: {rows[0].get('event', '')}")
        columns = [c for c in rows[0] if c != "event"]
        for column in columns:
            table.add_column(
                column.replace("_", " "), justify="left" if column == "variant" else "right"
            )
        for row in rows:
            table.add_row(*(_short(row.get(c, "")) for c in columns))
        console.print(table)


def _short(value: str | None) -> str:
    """Shares and seconds to 2 decimals, as the CSV keeps them whole."""
    if not value:
        return "-"
    try:
        number = float(value)
    except ValueError:
        return value
    return f"{number:.2f}" if not number.is_integer() else f"{number:.0f}"
