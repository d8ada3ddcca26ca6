"""Figures derived from a run for the report: pure functions of RunData, shared by the
figures, the claims table, the 2 x 2 and the capacity model."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from reports.intervals import Interval, pooled_noise, rate_ratio
from reports.load import RunData, variant_order
from results_format import primitive_ids, security_file


def number(value: Any) -> float | None:
    """A finite float, or None for missing, NaN and non-numbers."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


@dataclass(frozen=True)
class Measure:
    """A median over repetitions, with its spread (min and max)."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, row: dict[str, Any] | None, column: str) -> Measure | None:
        if row is None:
            return None
        median = number(row.get(column))
        if median is None:
            return None
        low = number(row.get(f"{column}_min"))
        high = number(row.get(f"{column}_max"))
        return cls(median, median if low is None else low, median if high is None else high)

    def __add__(self, other: Measure | None) -> Measure:
        if other is None:
            return self
        return Measure(self.median + other.median, self.low + other.low, self.high + other.high)


def compare(a: Measure, b: Measure, margin: float) -> str:
    """ "higher", "lower" or "similar": a differs from b only when the medians differ by
    more than `margin` (a fraction) AND the spreads over repetitions do not overlap."""
    if a.median > b.median * (1 + margin) and a.low > b.high:
        return "higher"
    if b.median > a.median * (1 + margin) and b.low > a.high:
        return "lower"
    return "similar"


def variants_where(run: RunData, **wanted: Any) -> list[str]:
    """Variants of the run whose manifest entry matches every keyword (kind, state, ...)."""
    names = []
    for name in variant_order(run):
        info = run.variant_info(name)
        if all(info.get(key) == value for key, value in wanted.items()):
            names.append(name)
    return names


def measured(run: RunData, names: list[str]) -> list[str]:
    """Those of `names` that have a summary row."""
    return [name for name in names if run.summary_row(name) is not None]


# --- CPU per request, split -----------------------------------------------------------


def primitive_row(run: RunData, name: str) -> dict[str, Any]:
    """The first primitive called `name` (results_format.primitive_ids: 'JWT verify HS256'
    finds 'JWT verify HS256 (PyJWT + header checks)'), {} where none is."""
    if run.primitives.empty or "primitive" not in run.primitives:
        return {}
    for _, row in run.primitives.iterrows():
        if primitive_ids.matches(str(row["primitive"]), name):
            return dict(row)
    return {}


def primitive_us(run: RunData, name: str) -> float | None:
    """The median cost of the first primitive called `name`."""
    return number(primitive_row(run, name).get("us_per_op"))


def verified_algorithms(run: RunData) -> list[str]:
    """The JWT algorithms the primitives experiment timed a verify of, in its order."""
    if run.primitives.empty or "primitive" not in run.primitives:
        return []
    found = (primitive_ids.verified_algorithm(str(name)) for name in run.primitives["primitive"])
    return list(dict.fromkeys(alg for alg in found if alg))


def credential_check_parts(run: RunData, variant: str) -> list[tuple[str, float | None]]:
    """What the server does to check one request's credential, by primitive.

    Store lookups are timed in-process as a whole round trip, so their share is an
    upper bound on the server CPU they take (part of it is Redis and the kernel).
    """
    info = run.variant_info(variant)
    kind, store = info.get("kind"), str(info.get("store", "-"))
    if kind == "session":
        parts: list[tuple[str, float | None]] = [
            ("signed id", primitive_us(run, primitive_ids.UNSIGN_SESSION_ID))
        ]
        if store == "redis":
            parts.append(("Redis GET", primitive_us(run, primitive_ids.REDIS_GET_ASYNC)))
        elif store == "sql":
            parts.append(("SQLite lookup", primitive_us(run, primitive_ids.SQLITE_SESSION_LOOKUP)))
        return parts
    if kind == "token":
        alg = str(info.get("alg") or "HS256")
        verify = primitive_ids.jwt_verify(alg)
        parts = [(verify, primitive_us(run, verify))]
        if info.get("state") == "client+server":
            parts.append(("deny-list GET", primitive_us(run, primitive_ids.REDIS_GET_ASYNC)))
        return parts
    return []


def credential_check_us(run: RunData, variant: str) -> float | None:
    parts = credential_check_parts(run, variant)
    if not parts:
        return 0.0
    values = [value for _, value in parts]
    if any(value is None for value in values):
        return None
    return float(sum(v for v in values if v is not None))


def total_cpu(run: RunData, variant: str) -> Measure | None:
    """Server plus store CPU per authenticated request: what the request costs the backend."""
    row = run.summary_row(variant)
    server = Measure.of(row, "server_cpu_us_per_request")
    if server is None:
        return None
    return server + Measure.of(row, "store_cpu_us_per_request")


# --- wire ---------------------------------------------------------------------------


def wire_bytes(run: RunData, variant: str, request: str = "GET /me") -> tuple[int, int] | None:
    """(request bytes, response bytes) of one request, headers included."""
    wire = run.wire
    if wire.empty:
        return None
    rows = wire[(wire["variant"] == variant) & (wire["request"] == request)]
    if rows.empty:
        return None
    return int(rows["request_bytes"].iloc[0]), int(rows["response_bytes"].iloc[0])


# --- login against an authenticated request -------------------------------------------


def login_costs(run: RunData) -> pd.DataFrame:
    rows = []
    for variant in variant_order(run):
        summary = run.summary_row(variant) or {}
        login = number(summary.get("login_server_cpu_us"))
        request = number(summary.get("server_cpu_us_per_request"))
        if login is None and request is None:
            continue
        rows.append(
            {
                "variant": variant,
                "login_us": login,
                "request_us": request,
                "ratio": login / request if login and request else None,
            }
        )
    return pd.DataFrame(rows, columns=["variant", "login_us", "request_us", "ratio"])


# --- outage ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutageStats:
    variant: str
    seconds_down: int  # seconds with the store down throughout (else: half of it or more)
    success_rate: float | None  # answered OK / answered, in those seconds
    # OK answers in those seconds / what the variant answers per second with the store up;
    # None when the run has no full second with the store up to compare with.
    goodput: float | None
    recovered_after_s: int | None  # full seconds after the outage before a normal second
    slowest_us: float | None = None  # the slowest answer of the outage run, from when due
    # The goodput's interval (reports.intervals.rate_ratio): from the OK answers of the
    # seconds down and of the steady seconds with the store up (steady_seconds).
    interval: Interval | None = None


FULLY_DOWN = 0.99


def _outage_slowest(run: RunData, variant: str) -> float | None:
    """The slowest answer of a variant's outage run, timed from when it was due: how
    long a request waited for a store that answered nothing."""
    import json

    from results_format.hdr_files import aggregate

    slowest = None
    for path in (run.directory / "raw" / variant).glob("rep*/outage/hdr*.json"):
        data = json.loads(path.read_text())
        summary = aggregate(data.get("corrected") or {}, ("POST /login",))
        if summary:
            slowest = max(slowest or 0.0, float(summary["max_us"]))
    if slowest is None:
        slowest = _slowest_from_table(run, variant)
    return slowest


def _slowest_from_table(run: RunData, variant: str) -> float | None:
    """Without the HDR files (a committed sample keeps the CSVs): latency.csv's outage rows,
    when the harness wrote them."""
    table = run.latency
    if table.empty or not {"variant", "phase", "kind", "request", "max_us"} <= set(table.columns):
        return None
    rows = table[
        (table["variant"] == variant)
        & (table["phase"] == "outage")
        & (table["kind"] == "corrected")
        & (table["request"] != "POST /login")
    ]
    return number(rows["max_us"].max()) if not rows.empty else None


def complete_seconds(rows: pd.DataFrame) -> pd.DataFrame:
    """One variant's outage rows with the seconds in which nothing completed put back.

    The harness writes a row only for a second in which some request ended, so a
    server that hung for a whole second leaves a gap. A gap between the first and
    the last second the outage touched lies inside the (single) outage: down 1.0.
    """
    rows = rows.sort_values("second")
    if rows.empty:
        return rows
    seconds = range(int(rows["second"].min()), int(rows["second"].max()) + 1)
    full = rows.set_index("second").reindex(seconds)
    touched = rows[rows["store_down"] > 0]["second"]
    missing = full["ok"].isna()
    full.loc[missing, ["ok", "failed"]] = 0
    if not touched.empty:
        inside = (full.index > touched.min()) & (full.index < touched.max())
        full.loc[missing & inside, "store_down"] = 1.0
    full["store_down"] = full["store_down"].fillna(0.0)
    full["variant"] = full["variant"].ffill().bfill()
    full = full.reset_index()
    full[["ok", "failed"]] = full[["ok", "failed"]].astype(int)
    return full


def steady_seconds(rows: pd.DataFrame, recovered_after_s: int | None) -> list[float]:
    """OK answers of every full second with the store up and the variant settled: not the
    run's first or last second (partial), and not the seconds after the outage up to and
    including the one it recovered in (that one holds the burst of answers that waited:
    182 in a second of a variant that answers 75). What the goodput's interval reads the
    per-second noise from."""
    ordered = rows.sort_values("second")
    if len(ordered) <= 2:
        return []
    inner = ordered.iloc[1:-1]
    touched = rows[rows["store_down"] > 0]["second"]
    up = inner[inner["store_down"] == 0]
    if not touched.empty:
        # The first normal second after the outage (as outage_stats counts recovery): the
        # one after the second it recovered in, where requests had waited (recovered > 0).
        waited = recovered_after_s if recovered_after_s is not None else 1
        settled = int(touched.max()) + waited + (1 if waited > 0 else 0)
        up = up[(up["second"] < touched.min()) | (up["second"] >= settled)]
    return [float(v) for v in up["ok"]]


def normal_rate(rows: pd.DataFrame) -> float:
    """OK answers per second with the store up: the median full second before it went
    down; when no full second precedes it, the full seconds after it came back. The run's
    first and last seconds are never full: partial, or holding the start's burst (87 in
    the first second of a token server that answered 80 in every other, which made it
    serve "92%" while it served every request). NaN when there is neither."""
    touched = rows[rows["store_down"] > 0]
    first_down = touched["second"].min() if not touched.empty else rows["second"].max() + 1
    before = rows[(rows["second"] < first_down) & (rows["store_down"] == 0)]
    before = before.sort_values("second").iloc[1:]
    if not before.empty:
        return float(before["ok"].median())
    last_down = touched["second"].max() if not touched.empty else rows["second"].min() - 1
    after = rows[(rows["second"] > last_down) & (rows["store_down"] == 0)].sort_values("second")
    if len(after) > 1:
        after = after.iloc[:-1]
    return float(after["ok"].median()) if not after.empty else float("nan")


def outage_stats(run: RunData) -> list[OutageStats]:
    outage = run.outage
    if outage.empty:
        return []
    stats = []
    steady: dict[str, tuple[list[float], list[float]]] = {}  # seconds down, steady seconds
    for variant, group in outage.groupby("variant", sort=False):
        rows = complete_seconds(group)
        # Seconds the store was down throughout: a second it only grazes also holds the
        # burst of requests that waited for it and completed once it was back.
        down = rows[rows["store_down"] >= FULLY_DOWN]
        if down.empty:
            down = rows[rows["store_down"] >= 0.5]
        touched = rows[rows["store_down"] > 0]
        if touched.empty:
            continue
        rate = normal_rate(rows)
        answered = int(down["ok"].sum() + down["failed"].sum())
        ok = int(down["ok"].sum())
        expected = rate * len(down)
        goodput = min(1.0, ok / expected) if math.isfinite(expected) and expected > 0 else None
        last_down = int(touched["second"].max())
        recovered = None
        for _, row in rows[rows["second"] >= last_down].iterrows():
            if row["failed"] == 0 and math.isfinite(rate) and row["ok"] >= 0.5 * rate:
                recovered = int(row["second"]) - last_down
                break
        steady[str(variant)] = ([float(v) for v in down["ok"]], steady_seconds(rows, recovered))
        stats.append(
            OutageStats(
                variant=str(variant),
                seconds_down=len(down),
                success_rate=ok / answered if answered else None,
                goodput=goodput,
                recovered_after_s=recovered,
                slowest_us=_outage_slowest(run, str(variant)),
            )
        )
    # Each goodput's interval, from the per-second noise of every variant's steady seconds.
    noise = pooled_noise([normal for _, normal in steady.values()])
    return [
        replace(
            stat,
            interval=rate_ratio(stat.goodput, *steady[stat.variant], noise)
            if stat.goodput is not None
            else None,
        )
        for stat in stats
    ]


# --- security.json ---------------------------------------------------------------------


def security_rows(run: RunData, section: str) -> list[dict[str, Any]]:
    """A section's rows, or [] when the run has no security results or skipped it."""
    if not run.security:
        return []
    data = run.security.get(section)
    if isinstance(data, dict):
        if security_file.skipped(data):
            return []
        data = data.get("results", [])
    return [row for row in (data or []) if isinstance(row, dict)]


def configuration_info(run: RunData) -> dict[str, dict[str, Any]]:
    """The security lab's configurations by name (variant, transport, samesite, csrf, ...)."""
    if not run.security:
        return {}
    return {
        str(c["name"]): c for c in run.security.get("configurations", []) if isinstance(c, dict)
    }


# --- XSS: where the browser keeps the token ------------------------------------------


def token_storage(run: RunData, row: dict[str, Any] | None = None) -> str:
    """Where the security lab's page kept the token: the row's (storage, the lab's setting
    per run: localStorage, memory, or cookie for an HttpOnly cookie), else the document's,
    else localStorage (the only place labs before the setting used)."""
    for key in ("storage", "token_storage"):
        if row and row.get(key):
            return str(row[key])
    document = run.security or {}
    for place in (document, document.get("settings") or {}, document.get("environment") or {}):
        if isinstance(place, dict) and place.get("token_storage"):
            return str(place["token_storage"])
    return "localStorage"


def token_stolen(row: dict[str, Any]) -> bool:
    """An injected script got a working token: read from storage, or replayed with success."""
    if row.get("token_stolen") is not None:
        return bool(row["token_stolen"])
    return (
        bool(row.get("token_in_local_storage")) or row.get("stolen_access_token_me_status") == 200
    )


def session_bytes(run: RunData, store: str) -> float | None:
    """Bytes per session (or per refresh family, deny-list entry) that `store` held at the
    largest N of the sessions-at-scale experiment."""
    scale = run.sessions_at_scale
    if scale.empty or "bytes_per_session" not in scale:
        return None
    rows = scale[(scale["store"] == store)].dropna(subset=["bytes_per_session"])
    if rows.empty:
        return None
    return number(rows.sort_values("sessions")["bytes_per_session"].iloc[-1])
