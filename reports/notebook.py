"""What notebooks/explore.ipynb needs beside the report: which results folder to open, one
variant against another, and each claim with the figures that decide its verdict.

Kept here rather than in the notebook, so the notebook stays a few lines per view and
this is tested like the rest of reports/. It reads the report's public entry points
only (FIGURES, verdicts.claims, Claim.as_row): the rules behind them may change.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from reports import figures, verdicts
from reports.load import RunData, variant_order
from reports.sections import FIGURES, FigureSpec

REPO = Path(__file__).resolve().parents[1]
# A real standard run kept in git: what the notebook shows before any `make bench`.
SAMPLE_RUN = REPO / "docs" / "sample-report"


def results_root(environ: Mapping[str, str] = os.environ) -> Path:
    """Where `make bench` writes (authlab.results), whatever directory the kernel runs in."""
    root = Path(environ.get("AUTHLAB_RESULTS", "results"))
    return root if root.is_absolute() else REPO / root


def newest_run(root: Path) -> Path | None:
    """The newest finished bench run under root (run ids start with their time, so the
    last in name order); a run still under way has no status.json yet."""
    runs = sorted(path.parent for path in root.glob("*-bench-*/status.json"))
    return runs[-1] if runs else None


def pick_run(environ: Mapping[str, str] = os.environ) -> tuple[Path, str]:
    """The results folder to open and why: AUTHLAB_RUN (set by `make notebook`), else the
    newest bench run, else the sample report's run."""
    chosen = environ.get("AUTHLAB_RUN")
    if chosen:
        return Path(chosen), "AUTHLAB_RUN"
    root = results_root(environ)
    newest = newest_run(root)
    if newest is not None:
        return newest, f"the newest bench run under {root}"
    return SAMPLE_RUN, f"the sample report (no finished bench run under {root} yet)"


# --- one variant against another -----------------------------------------------------

_SAMPLED = ("process_samples", "redis_samples")


def _keep_variants(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    if frame.empty or "variant" not in frame:
        return frame
    return frame[frame["variant"].astype(str).isin(names)].reset_index(drop=True)


def _keep_samples(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Samples are named by variant (Redis) or by process: server-VARIANT, or
    server-VARIANT-K for the K-th instance in the scale-out experiment."""
    if frame.empty or "name" not in frame:
        return frame
    pattern = re.compile(r"(?:[a-z]+-)?(?:" + "|".join(re.escape(n) for n in names) + r")(?:-\d+)?")
    keep = frame["name"].astype(str).map(lambda name: bool(pattern.fullmatch(name)))
    return frame[keep].reset_index(drop=True)


def _keep_stores(run: RunData, names: Sequence[str]) -> pd.DataFrame:
    """Sessions at scale is measured per store, not per variant: keep the stores of the
    session variants compared, and what a token server keeps when a token is compared
    (its deny list only where a compared token variant has one)."""
    scale = run.sessions_at_scale
    if scale.empty or "store" not in scale:
        return scale
    infos = [run.variant_info(name) for name in names]
    stores = {str(info.get("store")) for info in infos if info.get("kind") == "session"}
    tokens = [info for info in infos if info.get("kind") == "token"]
    deny_list = any(info.get("state") == "client+server" for info in tokens)

    def compared(store: str) -> bool:
        if store.startswith("token deny list"):
            return deny_list
        return store in stores or (bool(tokens) and store.startswith("token"))

    keep = scale["store"].astype(str).map(compared)
    return scale[keep].reset_index(drop=True)


def only(run: RunData, names: Sequence[str]) -> RunData:
    """The run with every per-variant table cut down to `names`, so each of the report's
    figures draws just those variants. Tables that are not per variant (the primitive
    costs) and the security lab's results are kept whole."""
    present = variant_order(run)
    missing = [name for name in names if name not in present]
    if missing:
        raise ValueError(
            f"{', '.join(missing)} not in run {run.run_id}; it has: {', '.join(present)}"
        )
    changes: dict[str, Any] = {
        table: _keep_variants(getattr(run, table), names)
        for table in (
            "phases",
            "latency",
            "summary",
            "wire",
            "scale_out",
            "outage",
            "verification",
        )
    }
    changes.update({table: _keep_samples(getattr(run, table), names) for table in _SAMPLED})
    changes["sessions_at_scale"] = _keep_stores(run, names)
    if not run.variants.empty and "name" in run.variants:
        changes["variants"] = run.variants[run.variants["name"].isin(names)].reset_index(drop=True)
    return dataclasses.replace(run, **changes)


def draw(spec: FigureSpec, run: RunData) -> bytes | None:
    """One of the report's figures as PNG bytes; None when the run lacks its data."""
    height = max(3.2, 0.38 * len(variant_order(run)) + 1.4) if spec.tall else 3.8
    figure, ax = figures.new_figure(7.0, height)
    return figures.png(figure) if spec.draw(run, ax) else None


# --- the claims and the figures that decide them -------------------------------------


def claims_table(run: RunData) -> pd.DataFrame:
    """The report's claims table: one row per claim (Claim.as_row)."""
    return pd.DataFrame([claim.as_row() for claim in verdicts.claims(run)])


def figure_ids(row: Mapping[str, Any]) -> list[str]:
    """The ids of the figures a claim's verdict rests on (as_row joins them with spaces)."""
    value = row.get("figures") or []
    return value.split() if isinstance(value, str) else [str(v) for v in value]


def figure_spec(figure_id: str) -> FigureSpec | None:
    return next((spec for spec in FIGURES if spec.id == figure_id), None)


def security_matrix(run: RunData) -> pd.DataFrame:
    """The security lab's matrix (one row per configuration); empty without its results."""
    rows = ((run.security or {}).get("summary") or {}).get("matrix") or []
    return pd.DataFrame(rows)
