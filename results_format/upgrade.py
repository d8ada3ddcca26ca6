"""One path from any older results folder to the current shape (as asv's results.py
upgrades a results file by its api_version).

The report upgrades every folder before it reads one, so that nothing after the upgrade
knows an old name: a reader of the current shape reads any folder. Each step takes a
folder of one version to the next; a folder newer than this code is refused with a
sentence that says so, never half read.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from results_format import palette, version_1
from results_format.version import FORMAT_VERSION, FORMAT_VERSION_KEY, UNVERSIONED

Rows = list[dict[str, Any]]


@dataclass
class Folder:
    """A results folder's contents as the upgrade sees them: the manifest and the tables
    (by table name, each a list of rows). An upgrade step returns a new list for a table it
    changes and leaves the others as they are (the same objects)."""

    manifest: dict[str, Any]
    tables: dict[str, Rows] = field(default_factory=dict)


class NewerFormat(ValueError):
    """The folder was written by a newer authlab than the one reading it."""


def format_version(manifest: dict[str, Any]) -> int:
    """The folder's format version (a manifest without one is version 1)."""
    found = manifest.get(FORMAT_VERSION_KEY, UNVERSIONED)
    if isinstance(found, bool) or not isinstance(found, int) or found < UNVERSIONED:
        raise ValueError(f"the manifest's {FORMAT_VERSION_KEY} is {found!r}, not a version")
    return found


def upgrade(folder: Folder) -> Folder:
    """The folder in the current shape (a new Folder; the given one is not changed)."""
    found = format_version(folder.manifest)
    if found > FORMAT_VERSION:
        raise NewerFormat(
            f"this results folder is format version {found}, newer than the {FORMAT_VERSION} "
            "this authlab reads: report it with the authlab that wrote it, or update this one"
        )
    current = Folder(copy.deepcopy(folder.manifest), dict(folder.tables))
    for version in range(found, FORMAT_VERSION):
        current = _STEPS[version](current)
    current.manifest[FORMAT_VERSION_KEY] = FORMAT_VERSION
    return current


# --- version 1 -> 2 --------------------------------------------------------------------


def _from_version_1(folder: Folder) -> Folder:
    """Every variant described with its colour and Settings; stores by Settings' names;
    the variants only an experiment started described from the old harness's table; a
    summary from before the GET-only phases with its mixed figures under mix_*."""
    _describe_variants(folder)
    _prefix_mixed_figures(folder)
    return folder


def _describe_variants(folder: Folder) -> None:
    configuration = folder.manifest.setdefault("configuration", {})
    if not isinstance(configuration, dict):
        return
    loaded = [_complete(row) for row in configuration.get("variants") or []]
    configuration["variants"] = loaded
    if "experiment_variants" in configuration:
        # Written since manifests describe every variant they start.
        configuration["experiment_variants"] = [
            _complete(row) for row in configuration["experiment_variants"] or []
        ]
        return
    # From before: the variants the tables name beyond the loaded ones were started by an
    # experiment (scale-out, outage), as the old harness's table describes them.
    known = {row.get("name") for row in loaded if isinstance(row, dict)}
    configuration["experiment_variants"] = [
        _complete(copy.deepcopy(version_1.VARIANTS[name]))
        for name in _variants_in(folder.tables)
        if name not in known and name in version_1.VARIANTS
    ]


def _prefix_mixed_figures(folder: Folder) -> None:
    """A summary without GET-only phases behind it holds the mixed phase's figures under
    the GET-only names: they move to the mixed names."""
    summary = folder.tables.get("summary") or []
    phases = folder.tables.get("phases") or []
    columns = {column for row in summary for column in row}
    older = (
        bool(summary)
        and not any(c.startswith(version_1.MIXED_PREFIX) for c in columns)
        and "offered_rps" not in columns
        and not any(row.get("phase") in version_1.GET_ONLY_PHASES for row in phases)
    )
    if not older:
        return
    folder.tables["summary"] = [
        {
            (version_1.MIXED_PREFIX + key if key in version_1.SUMMARY_FIGURES else key): value
            for key, value in row.items()
        }
        for row in summary
    ]


def _complete(row: Any) -> Any:
    """A version-1 variant row with Settings' store name, its colour and known Settings."""
    if not isinstance(row, dict) or "name" not in row:
        return row
    name = str(row["name"])
    store = str(row.get("store", "-"))
    row["store"] = version_1.STORE_NAMES.get(store, store)
    row.setdefault("colour", palette.colour_of(name))
    if "settings" not in row and name in version_1.VARIANTS:
        row["settings"] = dict(version_1.VARIANTS[name]["settings"])
    return row


def _variants_in(tables: dict[str, Rows]) -> list[str]:
    """Every variant a table names, in the order the tables name them."""
    names = (str(row["variant"]) for rows in tables.values() for row in rows if "variant" in row)
    return list(dict.fromkeys(names))


_STEPS: dict[int, Callable[[Folder], Folder]] = {1: _from_version_1}
