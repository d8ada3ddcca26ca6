"""The context the runner hands an experiment: the run's tables, warnings and security
status, and nothing an experiment did not declare."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from authlab.bench.profiles import get_profile
from authlab.bench.runner import Bench, BenchOptions, _ExperimentContext
from authlab.bench.variant_servers import Workspace
from authlab.processes import ProcessGroup


@pytest.fixture
def bench(tmp_path: Path) -> Bench:
    # No variant (only "none", no target): a run folder and its tables, nothing started.
    return Bench(BenchOptions(get_profile("smoke"), only="none", results_root=tmp_path))


def _context(bench: Bench, tmp_path: Path, declared: tuple[str, ...]) -> _ExperimentContext:
    return _ExperimentContext(bench, ProcessGroup(), Workspace.fresh(tmp_path), declared)


def test_an_experiment_writes_its_declared_tables_into_the_results_folder(
    bench: Bench, tmp_path: Path
) -> None:
    context = _context(bench, tmp_path, ("scale_out",))
    context.write_table("scale_out", {"variant": "a", "failed": 1}, {"variant": "b"})
    with (bench.directory / "scale_out.csv").open() as written:
        assert [row["variant"] for row in csv.DictReader(written)] == ["a", "b"]
    with pytest.raises(ValueError, match="'phases' is not among the experiment's tables"):
        context.write_table("phases", {"variant": "a"})
    assert not bench.tables["phases"].rows


def test_an_experiment_reads_the_runs_tables_without_changing_them(
    bench: Bench, tmp_path: Path
) -> None:
    bench.tables["twin_phases"].add({"variant": "a"})
    rows = _context(bench, tmp_path, ()).read_table("twin_phases")
    rows.append({"variant": "b"})
    assert bench.tables["twin_phases"].rows == [{"variant": "a"}]


def test_warnings_and_the_security_status_reach_the_run(bench: Bench, tmp_path: Path) -> None:
    context = _context(bench, tmp_path, ())
    context.warn("something to know")
    context.record_security({"measured": False, "reason": "no Chromium"})
    assert bench.warnings[-1] == "something to know"
    assert bench._security_status() == {"measured": False, "reason": "no Chromium"}
    assert context.directory == bench.directory and context.logs == bench.logs
