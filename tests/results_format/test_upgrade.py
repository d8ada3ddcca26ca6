"""upgrade(): any older folder in the current shape, the current one unchanged, a newer one
refused in words."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from results_format import palette, tables
from results_format.upgrade import Folder, NewerFormat, format_version, upgrade
from results_format.version import FORMAT_VERSION, FORMAT_VERSION_KEY

SAMPLE = Path(__file__).parents[2] / "docs" / "sample-report"
# A real folder of format 1 (no version in its manifest): the README's sample until
# 2026-12-04, its tables, manifest and status kept as they were written.
FORMAT_1_RUN = Path(__file__).parent / "format_1_run"


def _sample(directory: Path = SAMPLE) -> Folder:
    read: dict[str, list[dict[str, Any]]] = {}
    for table in tables.TABLES:
        path = directory / table.path
        if path.is_file():
            with open(path, newline="") as handle:
                read[table.name] = list(csv.DictReader(handle))
    return Folder(json.loads((directory / "manifest.json").read_text()), read)


def _version_1_folder() -> Folder:
    """A folder as the harness wrote them before 2026-11-30: variants without colour or
    Settings, the SQL store called "sqlite", an experiment's variant left out, and the
    mixed phase's figures under the GET-only names (no GET-only phase ran)."""
    old_rows = [
        {"name": "session-sqlite", "kind": "session", "store": "sqlite", "state": "server"},
        {"name": "token-hs256", "kind": "token", "store": "-", "state": "client", "alg": "HS256"},
    ]
    summary = [
        {"variant": "session-sqlite", "server_cpu_us_per_request": 300.0, "p50_us": 900.0},
        {"variant": "token-hs256", "server_cpu_us_per_request": 200.0, "p50_us": 700.0},
    ]
    phases = [{"variant": "token-hs256", "phase": "step", "repetition": 0}]
    scale_out = [{"variant": "session-memory", "instances": 2, "failed": 50}]
    return Folder(
        {"run_id": "old", "configuration": {"variants": old_rows}},
        {"summary": summary, "phases": phases, "scale_out": scale_out},
    )


def test_a_version_1_folder_is_described_as_the_current_shape() -> None:
    old = _version_1_folder()
    new = upgrade(old)
    assert new.manifest[FORMAT_VERSION_KEY] == FORMAT_VERSION
    configuration = new.manifest["configuration"]
    loaded = {row["name"]: row for row in configuration["variants"]}
    assert loaded["session-sqlite"]["store"] == "sql"
    assert loaded["session-sqlite"]["colour"] == palette.VARIANT_COLOURS["session-sqlite"]
    assert loaded["token-hs256"]["settings"] == {"access_ttl": 900}
    # The variant only the scale-out experiment started, from the old harness's table.
    (started,) = configuration["experiment_variants"]
    assert (started["name"], started["kind"], started["store"]) == (
        "session-memory",
        "session",
        "memory",
    )
    # The summary's mixed figures under the mixed names; other columns as they were.
    assert new.tables["summary"][0] == {
        "variant": "session-sqlite",
        "mix_server_cpu_us_per_request": 300.0,
        "mix_p50_us": 900.0,
    }
    # The given folder is left as it was.
    assert old.manifest["configuration"]["variants"][0]["store"] == "sqlite"
    assert "server_cpu_us_per_request" in old.tables["summary"][0]


def test_a_name_the_old_harness_did_not_know_is_not_guessed() -> None:
    old = _version_1_folder()
    old.tables["scale_out"].append({"variant": "made-up", "instances": 2})
    names = [row["name"] for row in upgrade(old).manifest["configuration"]["experiment_variants"]]
    assert names == ["session-memory"]


def test_a_summary_with_get_only_phases_behind_it_keeps_its_names() -> None:
    old = _version_1_folder()
    old.tables["phases"].append({"variant": "token-hs256", "phase": "me-closed"})
    assert upgrade(old).tables["summary"] is old.tables["summary"]


def test_the_current_sample_is_of_the_current_format_and_upgrades_to_itself() -> None:
    sample = _sample()
    assert format_version(sample.manifest) == FORMAT_VERSION
    upgraded = upgrade(sample)
    assert upgraded.manifest == sample.manifest
    assert all(upgraded.tables[name] is rows for name, rows in sample.tables.items())


def test_a_real_format_1_folder_upgrades_to_the_current_format() -> None:
    # The previous sample: already in today's shape but for the version, so the upgrade
    # adds the version and changes nothing else.
    old = _sample(FORMAT_1_RUN)
    assert FORMAT_VERSION_KEY not in old.manifest
    upgraded = upgrade(old)
    assert format_version(upgraded.manifest) == FORMAT_VERSION
    assert {k: v for k, v in upgraded.manifest.items() if k != FORMAT_VERSION_KEY} == (old.manifest)
    assert all(upgraded.tables[name] is rows for name, rows in old.tables.items())


def test_a_current_folder_passes_unchanged() -> None:
    current = upgrade(_sample())
    again = upgrade(current)
    assert again.manifest == current.manifest
    assert all(again.tables[name] is rows for name, rows in current.tables.items())


def test_a_folder_newer_than_the_code_says_so() -> None:
    newer = Folder({FORMAT_VERSION_KEY: FORMAT_VERSION + 1}, {})
    with pytest.raises(NewerFormat, match=f"format version {FORMAT_VERSION + 1}, newer than"):
        upgrade(newer)


@pytest.mark.parametrize("found", ["2", 0, True, 1.5])
def test_a_version_that_is_not_one_is_refused(found: object) -> None:
    with pytest.raises(ValueError, match="not a version"):
        format_version({FORMAT_VERSION_KEY: found})
