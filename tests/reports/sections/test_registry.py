"""The sections' registry: each reads only tables the results format declares (and only
those it names), every experiment that writes a table has one, every section module is
registered, and the cloud figures appear only where a run has them."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import reports.sections
from authlab.bench.experiments import REGISTRY
from reports import figures
from reports.load import RunData, load_run
from reports.sections import FIGURES, SECTIONS, Section, figures_of, page_rows
from results_format import tables

SAMPLE = Path(__file__).parents[3] / "docs" / "sample-report"
TABLE_NAMES = frozenset(tables.BY_NAME)


class RecordingRun(RunData):
    """A RunData that notes every table read from it, also from its own methods; the
    palette (the run's colours, from its manifest in the variants' order) is every
    figure's and is not counted as a section's read."""

    def __getattribute__(self, name: str) -> Any:
        if name == "palette":
            reads = object.__getattribute__(self, "reads")
            before = set(reads)
            found = object.__getattribute__(self, name)
            reads.intersection_update(before)
            return found
        if name in TABLE_NAMES:
            object.__getattribute__(self, "reads").add(name)
        return object.__getattribute__(self, name)


def recording(run: RunData) -> RecordingRun:
    copy = RecordingRun(**{f.name: getattr(run, f.name) for f in dataclasses.fields(run)})
    copy.reads = set()  # type: ignore[attr-defined]
    return copy


@pytest.fixture(scope="module")
def sample() -> RunData:
    return load_run(SAMPLE)


def test_every_section_names_only_tables_the_results_format_declares() -> None:
    for section in SECTIONS:
        assert set(section.tables) <= TABLE_NAMES, section.name
        assert section.shown_where is None or section.shown_where in section.tables


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.name)
def test_a_section_reads_only_the_tables_it_names(section: Section, sample: RunData) -> None:
    run = recording(sample)
    for spec in section.figure_specs:
        _figure, ax = figures.new_figure()
        spec.draw(run, ax)
    section.rows(run)
    read: set[str] = run.reads  # type: ignore[attr-defined]
    assert read <= set(section.tables)
    # A table named but never read is a stale declaration (the load phases' figures read
    # theirs through helpers only some runs reach, so only the experiments' are held to it).
    if section.figure_specs or section.rows is not reports.sections.section.no_rows:
        assert read, section.name


def written(experiment: Any) -> tuple[str, ...]:
    """The tables an experiment writes (its registry entry declares them)."""
    return tuple(experiment.tables)


def test_every_experiment_that_writes_a_table_has_a_section_naming_them() -> None:
    by_name = {section.name: section for section in SECTIONS}
    for experiment in REGISTRY.values():
        if not written(experiment):
            continue
        assert experiment.name in by_name, f"no report section for {experiment.name}"
        assert set(written(experiment)) <= set(by_name[experiment.name].tables)


def test_every_section_module_is_in_the_registry() -> None:
    registered = {id(section) for section in SECTIONS}
    modules = [
        module.name
        for module in pkgutil.iter_modules(reports.sections.__path__)
        if module.name.endswith("_section")
    ]
    assert len(modules) == len(SECTIONS)
    for name in modules:
        module = importlib.import_module(f"reports.sections.{name}")
        assert id(module.SECTION) in registered, name


def test_figure_ids_and_page_values_are_each_given_by_one_section(sample: RunData) -> None:
    ids = [spec.id for section in SECTIONS for spec in section.figure_specs]
    assert len(ids) == len(set(ids))
    names = [name for section in SECTIONS for name in section.rows(sample)]
    assert len(names) == len(set(names))
    assert set(page_rows(sample)) == set(names)


def test_the_cloud_figures_are_on_the_page_only_where_the_run_has_them(
    sample: RunData,
) -> None:
    assert [spec.id for spec in figures_of(sample)] == [spec.id for spec in FIGURES]
    seconds = pd.DataFrame(
        {"variant": ["session-redis"] * 3, "second": [-1, 0, 1], "success_rate": [1, 0.4, 1]}
    )
    failover = dataclasses.replace(sample, cloud_failover_seconds=seconds)
    drawn = figures_of(failover)
    assert [spec.id for spec in drawn] == [spec.id for spec in FIGURES] + ["cloud-failover"]
    _figure, ax = figures.new_figure()
    assert drawn[-1].draw(failover, ax)
    assert [line.get_label() for line in ax.get_lines()] == ["session-redis", "the kill"]
