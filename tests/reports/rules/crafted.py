"""Crafted runs whose answers are known: summary rows and tables as the harness writes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from authlab.bench.variants import VARIANTS
from reports.load import RunData, summary_source


def row(
    variant: str,
    server: float,
    store: float | None = None,
    spread: tuple[float, float] | None = None,
    rps: float | None = None,
    saturated: bool = False,
) -> dict[str, Any]:
    """A summary row in the lean format: GET-only figures, the mixed phase's as mix_*."""
    low, high = spread or (server, server)
    return {
        "variant": variant,
        "mix_server_cpu_us_per_request": server * 2,
        "server_cpu_us_per_request": server,
        "server_cpu_us_per_request_min": low,
        "server_cpu_us_per_request_max": high,
        "store_cpu_us_per_request": store,
        "max_throughput_rps": rps,
        "max_throughput_rps_min": rps,
        "max_throughput_rps_max": rps,
        "login_server_cpu_us": 30_000.0,
        "generator_saturated": saturated,
    }


def repetitions(variant: str, *servers: float, phase: str = "me-closed") -> list[dict[str, Any]]:
    """phases.csv rows: the variant's server CPU per request in each repetition."""
    return [
        {"variant": variant, "phase": phase, "repetition": index,
         "server_cpu_us_per_request": value}
        for index, value in enumerate(servers)
    ]  # fmt: skip


def resident(
    store: str, sessions: int, *per_round: float, store_us: float | None = None, p99: float = 0.0
) -> dict[str, list[dict[str, Any]]]:
    """resident_sessions and resident_batches rows: one store at N sessions, `per_round` its
    server CPU per request (µs) in each round, two steady seconds of 500 requests a round,
    one 2% dearer and one 2% cheaper (a spread within the round)."""
    rows, batches = [], []
    for index, server in enumerate(per_round):
        rows.append(
            {"store": store, "sessions": sessions, "round": index,
             "server_cpu_us_per_request": server, "store_cpu_us_per_request": store_us,
             "p99_us": p99 or None}
        )  # fmt: skip
        for second, factor in enumerate((1.02, 0.98)):
            batches.append(
                {"store": store, "sessions": sessions, "round": index, "second": second,
                 "seconds": 1, "requests": 500, "server_cpu_s": server * factor * 500 / 1e6,
                 "redis_cpu_s": None if store_us is None else store_us * 500 / 1e6}
            )  # fmt: skip
    return {"resident_sessions": rows, "resident_batches": batches}


def residents(*stores: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Several resident() cells as one run's two tables."""
    return {
        name: [row for cell in stores for row in cell[name]]
        for name in ("resident_sessions", "resident_batches")
    }


def crafted(summary: list[dict[str, Any]], **tables: Any) -> RunData:
    """A RunData from summary rows and any other tables (lists of dicts)."""
    names = [r["variant"] for r in summary]
    frames = {k: pd.DataFrame(v) if isinstance(v, list) else v for k, v in tables.items()}
    table, source = summary_source(pd.DataFrame(summary))  # as load_run reads it
    return RunData(
        directory=Path("/nonexistent"),
        summary=table,
        variants=pd.DataFrame([VARIANTS[n].describe() for n in names]),
        figure_source=source,
        **frames,
    )


def scale_out(memory: float, redis: float | None = 0.0) -> list[dict[str, Any]]:
    rows = [
        {"variant": "session-memory", "instances": 2, "requests": 100,
         "failure_rate": memory, "expected_if_state_is_local": 0.5},
    ]  # fmt: skip
    if redis is not None:
        rows.append(
            {"variant": "session-redis", "instances": 2, "requests": 100,
             "failure_rate": redis, "expected_if_state_is_local": 0.0}
        )  # fmt: skip
    return rows


def outage(session_ok: int, token_ok: int, denylist_ok: int | None = None) -> list[dict[str, Any]]:
    """8 seconds at 80 requests/s; the store is down in seconds 3 and 4, where each variant
    answers `*_ok` requests OK (and fails the rest of 80)."""
    rows = []
    variants = [("session-redis", session_ok), ("token-hs256", token_ok)]
    if denylist_ok is not None:
        variants.append(("token-hs256-denylist", denylist_ok))
    for variant, during in variants:
        for second in range(8):
            down = 1.0 if second in (3, 4) else 0.0
            ok = during if down else 80
            rows.append(
                {"variant": variant, "second": second, "ok": ok, "failed": 80 - ok,
                 "store_down": down}
            )  # fmt: skip
    return rows


SESSION_TOKEN = ("session-redis", "token-hs256")


# --- The cloud topology's rows (claims 2 and 7 behind HAProxy) ----------------------


def cloud_run(**tables: list[dict[str, Any]]) -> RunData:
    """A run holding only the given cloud tables."""
    return RunData(directory=Path("."), **{k: pd.DataFrame(v) for k, v in tables.items()})


BALANCER = [
    {"variant": "session-memory", "instances": 2, "requests": 400, "failed": 200,
     "failure_rate": 0.5, "expected_if_state_is_local": 0.5, "users_forced_to_log_in": 20,
     "users": 20},
    {"variant": "session-redis", "instances": 2, "requests": 400, "failed": 0,
     "failure_rate": 0.0, "expected_if_state_is_local": 0.0, "users_forced_to_log_in": 0,
     "users": 20},
    {"variant": "token-hs256", "instances": 2, "requests": 400, "failed": 0,
     "failure_rate": 0.0, "expected_if_state_is_local": 0.0, "users_forced_to_log_in": 0,
     "users": 20},
]  # fmt: skip
STICKY = [
    {"variant": "session-memory", "users_forced_to_log_in": 10, "users_on_killed_instance": 10,
     "users": 20, "failed_after": 3, "seconds_until_out": 0.4, "recovery_s": 2.1},
    {"variant": "session-redis", "users_forced_to_log_in": 0, "users_on_killed_instance": 10,
     "users": 20, "failed_after": 2, "seconds_until_out": 0.4, "recovery_s": 2.0},
]  # fmt: skip


def store_down(token_ok: float, served: float) -> list[dict[str, Any]]:
    return [
        {"variant": "session-redis", "down_s": 9.0, "success_while_down": 0.0,
         "served_for_s": None, "recovery_after_back_s": 0.5, "access_ttl_s": None},
        {"variant": "token-hs256", "down_s": 9.0, "success_while_down": token_ok,
         "served_for_s": served, "recovery_after_back_s": 0.4, "access_ttl_s": 3},
        {"variant": "token-hs256-denylist", "down_s": 9.0, "success_while_down": 0.0,
         "served_for_s": None, "recovery_after_back_s": 0.4, "access_ttl_s": 3},
    ]  # fmt: skip


FAILOVER = [
    {"variant": "session-redis", "failover_s": 2.4, "recovery_s": 3.0, "failed_after": 50,
     "users_forced_to_log_in": 0, "probes": 20, "sessions_lost": 0},
    {"variant": "token-hs256", "failover_s": 2.3, "recovery_s": 2.9, "failed_after": 12,
     "users_forced_to_log_in": 0, "probes": 20, "refresh_tokens_lost": 0},
]  # fmt: skip
