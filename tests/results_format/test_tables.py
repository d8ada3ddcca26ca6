"""The one list of tables: what a real run wrote matches it, and both sides use it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from authlab.bench import experiments
from authlab.bench.growing_csv import Table as CsvTable
from reports.load import RAW_TABLES, TABLES, RunData
from results_format import tables

SAMPLE = Path(__file__).parents[2] / "docs" / "sample-report"


def _header(path: Path) -> list[str]:
    with open(path, newline="") as handle:
        return next(csv.reader(handle))


# The tables a real run (the committed sample, profile standard) wrote.
WRITTEN = [table for table in tables.TABLES if (SAMPLE / table.path).is_file()]


@pytest.mark.parametrize("table", WRITTEN, ids=lambda t: t.name)
def test_the_sample_runs_tables_have_the_declared_columns_in_order(table: tables.Table) -> None:
    written = _header(SAMPLE / table.path)
    assert [c for c in written if c not in table.columns] == []
    assert written == tables.ordered(table.name, written)


def test_every_csv_of_the_sample_run_is_a_declared_table() -> None:
    found = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.glob("*.csv")}
    found |= {p.relative_to(SAMPLE).as_posix() for p in (SAMPLE / "raw").glob("*.csv")}
    assert found <= {table.path for table in tables.TABLES}


def test_the_bench_writes_only_declared_tables() -> None:
    assert set(experiments.TABLES) <= set(tables.BY_NAME)
    assert set(tables.LOAD_PHASE_TABLES) <= set(tables.BY_NAME)


def test_the_report_reads_every_declared_table() -> None:
    assert {*TABLES, *RAW_TABLES} == set(tables.BY_NAME)
    fields = set(RunData.__dataclass_fields__)
    assert set(tables.BY_NAME) <= fields


def test_the_bench_writes_columns_in_declared_order(tmp_path: Path) -> None:
    table = CsvTable(tmp_path / "wire.csv")
    table.add({"response_bytes": 2, "note": "x", "variant": "baseline", "request": "GET /me"})
    # Declared columns first in their order, then an undeclared one (kept, not dropped).
    assert _header(tmp_path / "wire.csv") == ["variant", "request", "response_bytes", "note"]


def test_names_and_paths_are_unique() -> None:
    assert len(tables.BY_NAME) == len(tables.TABLES)
    assert all(len(set(t.columns)) == len(t.columns) for t in tables.TABLES)
    assert tables.BY_NAME["process_samples"].path == "raw/process_samples.csv"
