"""A results folder -> pandas DataFrames, one per file, and the latency curves of its HDR files.

Every file is optional: an interrupted run, or a profile without some
experiment, simply yields an empty DataFrame, and the report says "not
measured in this run" where it would have used it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from results_format import palette, phase_ids, tables
from results_format.upgrade import Folder, upgrade

# Every table a results folder may hold (results_format.tables); the report reads them all.
TABLES = tuple(table.name for table in tables.TABLES if not table.raw)
RAW_TABLES = tuple(table.name for table in tables.TABLES if table.raw)

# Requests that are not what a phase measures (as the bench leaves them out).
LEFT_OUT = phase_ids.LEFT_OUT


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass
class RunData:
    """Everything a report is drawn from; each table may be empty."""

    directory: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    status: dict[str, Any] = field(default_factory=dict)
    phases: pd.DataFrame = field(default_factory=_empty)
    latency: pd.DataFrame = field(default_factory=_empty)
    summary: pd.DataFrame = field(default_factory=_empty)
    wire: pd.DataFrame = field(default_factory=_empty)
    primitives: pd.DataFrame = field(default_factory=_empty)
    sessions_at_scale: pd.DataFrame = field(default_factory=_empty)
    scale_out: pd.DataFrame = field(default_factory=_empty)
    outage: pd.DataFrame = field(default_factory=_empty)
    verification: pd.DataFrame = field(default_factory=_empty)
    overhead: pd.DataFrame = field(default_factory=_empty)
    instructions: pd.DataFrame = field(default_factory=_empty)
    resident_sessions: pd.DataFrame = field(default_factory=_empty)
    resident_batches: pd.DataFrame = field(default_factory=_empty)
    batches: pd.DataFrame = field(default_factory=_empty)
    twin_phases: pd.DataFrame = field(default_factory=_empty)
    cloud_balancer: pd.DataFrame = field(default_factory=_empty)
    cloud_sticky_kill: pd.DataFrame = field(default_factory=_empty)
    cloud_failover: pd.DataFrame = field(default_factory=_empty)
    cloud_store_down: pd.DataFrame = field(default_factory=_empty)
    cloud_store_restart: pd.DataFrame = field(default_factory=_empty)
    cloud_sticky_kill_seconds: pd.DataFrame = field(default_factory=_empty)
    cloud_failover_seconds: pd.DataFrame = field(default_factory=_empty)
    cloud_store_down_seconds: pd.DataFrame = field(default_factory=_empty)
    process_samples: pd.DataFrame = field(default_factory=_empty)
    redis_samples: pd.DataFrame = field(default_factory=_empty)
    metrics_samples: pd.DataFrame = field(default_factory=_empty)
    variants: pd.DataFrame = field(default_factory=_empty)
    # Every variant the manifest describes (also those only an experiment ran), by name.
    described: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The cloud topology's hosts (topology.json): experiment and variant -> [{role, address}]
    topology: dict[str, Any] = field(default_factory=dict)
    security: dict[str, Any] | None = None
    security_path: Path | None = None
    # Where the summary's per-request figures come from (see summary_source).
    figure_source: str = "get-only"

    @property
    def run_id(self) -> str:
        return str(self.manifest.get("run_id") or self.directory.name)

    def variant_info(self, name: str) -> dict[str, Any]:
        """The manifest's description of a variant (kind, state, transport, store, alg,
        colour, settings, topology); a name it does not describe has no kind (no guess
        from a name)."""
        known = self.described or self._described_in_memory()
        described = known.get(name, {"kind": None, "store": "-", "alg": "-"})
        return {"name": name, **described}

    def _described_in_memory(self) -> dict[str, dict[str, Any]]:
        """A RunData made in memory (not by load_run) is a folder without a version: its
        variants table and the tables that name variants, upgraded as load_run would."""
        variants = [] if self.variants.empty else self.variants.to_dict("records")
        manifest = self.manifest or {"configuration": {"variants": variants}}
        named = {
            name: getattr(self, name).to_dict("records")
            for name in TABLES
            if "variant" in getattr(self, name)
        }
        return described_variants(upgrade(Folder(manifest, named)).manifest)

    def colour(self, name: str) -> str:
        """The variant's colour in every figure: the manifest's, else the palette's."""
        return str(self.variant_info(name).get("colour") or palette.colour_of(name))

    @property
    def palette(self) -> dict[str, str]:
        return {name: self.colour(name) for name in [*variant_order(self), *self.described]}

    def summary_row(self, name: str) -> dict[str, Any] | None:
        if self.summary.empty or name not in set(self.summary["variant"]):
            return None
        row: dict[str, Any] = self.summary.set_index("variant").loc[name].to_dict()
        return row


def described_variants(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every variant the manifest describes, by name: the load phases' and those only an
    experiment started."""
    configuration = manifest.get("configuration") or {}
    return described_rows(
        [
            *(configuration.get("variants") or []),
            *(configuration.get("experiment_variants") or []),
        ]
    )


def described_rows(rows: list[Any]) -> dict[str, dict[str, Any]]:
    described = {}
    for row in rows:
        if isinstance(row, dict) and "name" in row:
            described[str(row["name"])] = {k: v for k, v in row.items() if k != "name"}
    return described


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV file, or an empty DataFrame when it is missing or has no rows."""
    if not path.is_file() or path.stat().st_size == 0:
        return pd.DataFrame()
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return data if isinstance(data, dict) else {}


def load_run(run_dir: Path | str, security: Path | str | None = None) -> RunData:
    """Read a results folder. `security` names a security.json from a separate run;
    without it the folder's own security.json is used when there is one."""
    directory = Path(run_dir)
    if not directory.is_dir():
        raise FileNotFoundError(f"no results folder at {directory}")
    run = RunData(directory=directory)
    run.status = read_json(directory / "status.json")
    run.topology = read_json(directory / "topology.json")
    read = {table.name: read_csv(directory / table.path) for table in tables.TABLES}
    run.manifest, upgraded = upgraded_folder(read_json(directory / "manifest.json"), read)
    for name, frame in upgraded.items():
        setattr(run, name, frame)
    run.summary, run.figure_source = summary_source(run.summary)
    if run.figure_source == "older" and _has_get_only_phases(run.phases):
        # A run of GET-only phases alone (targets with --only none): no mix_ figures, yet
        # its unprefixed figures are GET /me alone, not an old folder's mixed ones.
        run.figure_source = "get-only"
    variants = (run.manifest.get("configuration") or {}).get("variants") or []
    run.variants = pd.DataFrame(variants)
    run.described = described_variants(run.manifest)
    security_path = Path(security) if security else _own_security_file(directory)
    if security_path.is_file():
        run.security = read_json(security_path)
        run.security_path = security_path
    elif security:
        raise FileNotFoundError(f"no security results at {security_path}")
    return run


def upgraded_folder(
    manifest: dict[str, Any], frames: dict[str, pd.DataFrame]
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The manifest and tables in the current shape (results_format.upgrade). A table the
    upgrade leaves alone keeps its DataFrame as read; the raw samples (thousands of rows
    that no upgrade step has needed yet) are not handed to it."""
    records = {name: frames[name].to_dict("records") for name in TABLES if name in frames}
    folder = upgrade(Folder(manifest, records))
    upgraded = {
        name: frames[name] if rows is records.get(name) else pd.DataFrame(rows)
        for name, rows in folder.tables.items()
    }
    return folder.manifest, {**frames, **upgraded}


# The summary's per-request figures: GET /me alone under these names, and the same
# figures in the mixed browsing phase prefixed mix_ (a results folder from before the
# GET-only phases has only the mixed ones, under these names).
FIGURES = tables.SUMMARY_FIGURES
MIX = tables.MIXED_PREFIX


def _has(summary: pd.DataFrame, column: str) -> bool:
    return column in summary and bool(summary[column].notna().any())


def _has_get_only_phases(phases: pd.DataFrame) -> bool:
    return (
        not phases.empty
        and "phase" in phases
        and bool((phases["phase"] == phase_ids.ME_CLOSED).any())
    )


def summary_source(summary: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The summary and where its unprefixed figures come from:

    "get-only": GET /me alone, with the mixed phase's beside them as mix_* where the
        profile ran the mix;
    "mixed": the folder's GET-only CPU is missing but its mix_* figures are there
        (a profile without the GET-only phases, or a folder from before them, whose
        mixed figures results_format.upgrade moved to mix_*): every unprefixed figure is
        taken from mix_*, so that no comparison mixes sources;
    "older": unprefixed figures alone, without a mix or a matched rate: a summary made
        in memory in the shape from before the GET-only phases (the mixed phase's under
        the unprefixed names), or a run of the GET-only phases alone (load_run tells).
    """
    if summary.empty:
        return summary, "get-only"
    has_mix = _has(summary, f"{MIX}server_cpu_us_per_request")
    if _has(summary, "server_cpu_us_per_request"):
        # A folder at the matched load names its offered rate, with or without a mix.
        matched = _has(summary, "offered_rps")
        return summary, "get-only" if has_mix or matched else "older"
    if not has_mix:
        return summary, "older"
    frame = summary.copy()
    for name in FIGURES:
        for suffix in ("", "_min", "_max"):
            if f"{MIX}{name}{suffix}" in frame:
                frame[f"{name}{suffix}"] = frame[f"{MIX}{name}{suffix}"]
    frame["credential_cpu_us"] = float("nan")  # a GET-only difference: not in this folder
    return frame, "mixed"


def _own_security_file(directory: Path) -> Path:
    """The folder's security.json; else the copy a report made of one given with
    --security (report/security.json), so that `authlab report RUN` redraws the same
    claims from the folder alone."""
    own = directory / "security.json"
    copied = directory / "report" / "security.json"
    return own if own.is_file() or not copied.is_file() else copied


def variant_order(run: RunData) -> list[str]:
    """Variants in the run's own order (the manifest's), then any others seen."""
    names: list[str] = []
    if not run.variants.empty:
        names.extend(str(n) for n in run.variants["name"])
    for table in (run.summary, run.phases):
        if not table.empty and "variant" in table:
            names.extend(str(n) for n in table["variant"] if str(n) not in names)
    return list(dict.fromkeys(names))


# --- latency percentile curves from the HDR files -------------------------------------

# Percentiles spaced evenly in "nines" (50%, 90%, 99%, 99.9%, 99.99%): the usual
# HdrHistogram plot, where the tail is as readable as the median.
NINES = np.linspace(np.log10(2), 4, 37)


def _hdr_files(directory: Path, variant: str, phase: str) -> list[Path]:
    return sorted((directory / "raw" / variant).glob(f"rep*/{phase}/hdr*.json"))


def latency_curves(
    run: RunData,
    phase: str | None = None,
    kind: str = "corrected",
    leave_out: tuple[str, ...] = LEFT_OUT,
) -> pd.DataFrame:
    """Columns variant, percentile, latency_us: every repetition's histograms merged.

    `kind` is "corrected" (timed from when each request was due: coordinated
    omission corrected) or "service" (from when it was sent).
    """
    from results_format.hdr_files import decode

    phase = phase or latency_phase(run)
    rows: list[dict[str, Any]] = []
    for variant in variant_order(run):
        histogram = None
        for path in _hdr_files(run.directory, variant, phase):
            data = json.loads(path.read_text())
            for request, value in (data.get(kind) or {}).items():
                if request in leave_out or not value.get("count"):
                    continue
                part = decode(value["encoded"])
                if histogram is None:
                    histogram = part
                else:
                    histogram.add(part)
        if histogram is None or not histogram.get_total_count():
            rows.extend(_curve_from_table(run, variant, phase, kind, leave_out))
            continue
        top = 100.0 * (1.0 - 1.0 / histogram.get_total_count())
        for nines in NINES:
            percentile = min(100.0 * (1.0 - 10.0 ** (-float(nines))), max(top, 50.0))
            rows.append(
                {
                    "variant": variant,
                    "percentile": percentile,
                    "latency_us": float(histogram.get_value_at_percentile(percentile)),
                }
            )
    frame = pd.DataFrame(rows, columns=["variant", "percentile", "latency_us"])
    return frame.drop_duplicates(subset=["variant", "percentile"]).reset_index(drop=True)


def _curve_from_table(
    run: RunData, variant: str, phase: str, kind: str, leave_out: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Without the HDR files (a committed sample keeps only the CSVs): latency.csv's
    percentiles of the busiest request, median over repetitions. Fewer points, same
    numbers as the CSV."""
    table = run.latency
    if table.empty or not {"variant", "phase", "kind", "request"} <= set(table.columns):
        return []
    rows = table[
        (table["variant"] == variant)
        & (table["phase"] == phase)
        & (table["kind"] == kind)
        & ~table["request"].isin(leave_out)
    ]
    if rows.empty:
        return []
    busiest = rows.groupby("request")["count"].sum().idxmax()
    rows = rows[rows["request"] == busiest]
    points = (("p50_us", 50.0), ("p90_us", 90.0), ("p99_us", 99.0), ("p999_us", 99.9))
    return [
        {"variant": variant, "percentile": percentile, "latency_us": float(rows[column].median())}
        for column, percentile in points
        if column in rows and rows[column].notna().any()
    ]


def latency_phase(run: RunData) -> str:
    """The fixed-rate phase latency is read from: GET /me alone where the run has it."""
    if not run.phases.empty and phase_ids.ME_RATE in set(run.phases.get("phase", [])):
        return phase_ids.ME_RATE
    return phase_ids.FIXED_RATE


def run_duration_s(run: RunData) -> float | None:
    """From the manifest's start to status.json's end, in seconds."""
    started = run.manifest.get("started_at")
    finished = run.status.get("finished_at")
    if not started or not finished:
        return None
    try:
        begin = pd.Timestamp(started)
        end = pd.Timestamp(finished)
    except ValueError:
        return None
    return float((end - begin).total_seconds())
