"""A session server's cost per GET /me with N sessions resident, over the experiment's rounds.

resident_sessions.csv has a row per store, N and round (every cell measured once a round,
interleaved; a folder from before rounds has one row per cell, round 0), and
resident_batches.csv the steady seconds of each. The growth a claim reads, CPU per request
with the most sessions over with the fewest, is taken over every steady second of every
round, and its interval is the bootstrap of reports.intervals with the rounds as
repetitions: the same treatment as the load phases' ratios. A folder without batches has
no interval for it: a figure measured once cannot say how far another run would move it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reports.intervals import Batches, Interval, bootstrap, rate
from reports.load import RunData
from reports.metrics import number

FEWEST, MOST = "fewest", "most"


@dataclass(frozen=True)
class Cell:
    """One store at one N, over its rounds."""

    store: str
    sessions: int
    rounds: int
    p99_us: float | None  # the median of the rounds' p99 (None where no round carries one)


@dataclass(frozen=True)
class Growth:
    """most / fewest of a store's CPU per request, with its interval (None without batches)."""

    store: str
    fewest: Cell
    most: Cell
    ratio: float
    interval: Interval | None


def _rows(run: RunData) -> pd.DataFrame:
    table = run.resident_sessions
    if table.empty or not {"store", "sessions"} <= set(table.columns):
        return pd.DataFrame()
    if "round" not in table.columns:
        table = table.assign(round=0)
    return table


def _row_cpu(row: pd.Series) -> float | None:
    server = number(row.get("server_cpu_us_per_request"))
    if server is None:
        return None
    # The Redis row carries its store's own CPU too.
    return server + (number(row.get("store_cpu_us_per_request")) or 0.0)


def samples(run: RunData, store: str, sessions: int) -> dict[int, Batches]:
    """Server + store CPU (µs) over requests per steady second, by round; a folder without
    batches: each round's figure as one batch of weight 1."""
    batches = run.resident_batches
    found: dict[int, Batches] = {}
    if not batches.empty and {"store", "sessions", "round"} <= set(batches.columns):
        mine = batches[(batches["store"] == store) & (batches["sessions"] == sessions)]
        for _, b in mine.iterrows():
            requests = number(b.get("requests")) or 0.0
            server = number(b.get("server_cpu_s"))
            if server is None or not requests:
                continue
            cpu = (server + (number(b.get("redis_cpu_s")) or 0.0)) * 1e6
            found.setdefault(int(b["round"]), []).append((cpu, requests))
    if found:
        return found
    rows = _rows(run)
    if rows.empty:
        return {}
    mine_rows = rows[(rows["store"] == store) & (rows["sessions"] == sessions)]
    for _, row in mine_rows.iterrows():
        figure = _row_cpu(row)
        if figure is not None:
            found.setdefault(int(row["round"]), []).append((figure, 1.0))
    return found


def cells(run: RunData) -> list[Cell]:
    """Every (store, N) measured, stores in the order first measured, N ascending."""
    rows = _rows(run)
    if rows.empty:
        return []
    found = []
    for store in dict.fromkeys(rows["store"]):
        mine = rows[rows["store"] == store]
        for sessions in sorted(set(int(n) for n in mine["sessions"])):
            cell_rows = mine[mine["sessions"] == sessions]
            p99s = [v for v in (number(x) for x in cell_rows.get("p99_us", [])) if v is not None]
            found.append(
                Cell(
                    str(store),
                    sessions,
                    len(set(cell_rows["round"])),
                    float(pd.Series(p99s).median()) if p99s else None,
                )
            )
    return found


def growth(run: RunData) -> list[Growth]:
    """Per store: CPU per request with its most sessions over with its fewest, over the
    rounds both were measured in, with the bootstrap interval where batches allow one."""
    by_store: dict[str, list[Cell]] = {}
    for cell in cells(run):
        by_store.setdefault(cell.store, []).append(cell)
    found = []
    for store, measured in by_store.items():
        if len(measured) < 2:
            continue
        fewest, most = measured[0], measured[-1]
        paired = {
            FEWEST: samples(run, store, fewest.sessions),
            MOST: samples(run, store, most.sessions),
        }
        common = sorted(set(paired[FEWEST]) & set(paired[MOST]))
        low = rate([b for k in common for b in paired[FEWEST][k]])
        high = rate([b for k in common for b in paired[MOST][k]])
        if not low or high is None:
            continue
        # A single round has no spread between rounds to resample: no interval.
        interval = (
            bootstrap(paired, lambda r: r[MOST] / r[FEWEST] if r[FEWEST] else None)
            if len(common) >= 2
            else None
        )
        found.append(Growth(store, fewest, most, high / low, interval))
    return found
