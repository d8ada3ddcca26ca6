"""Derived figures: from one phase's raw data to the numbers the summary shows.

Pure functions over plain data, so that they can be tested on fixed inputs.
"""

from __future__ import annotations

import statistics
from typing import Any

from authlab.bench.window import Batch, Tick, batches, steady_window, window_figures
from results_format import phase_ids
from results_format.hdr_files import aggregate

# Above this share of one core the generator, not the server, may be the limit.
GENERATOR_SATURATION = 0.90
# Locust spawns a phase's users at `users` a second (-r = -u): all run after a second.
SPAWN_SECONDS = 1.0
# A percentile is given only where at least this many samples lie beyond it: p99 from
# 1,000 samples, p99.9 from 10,000; fewer and it is one or two requests' luck.
MIN_BEYOND = 10
PERCENTILES = {"p50_us": 0.50, "p90_us": 0.90, "p99_us": 0.99, "p999_us": 0.999}


# In a closed loop either the server or the generator runs at its limit. On a machine
# shared with other work neither gets a whole core, but one that served under this share
# of a core while the other did too was held back by something else (a neighbour's burst):
# no capacity to set the matched rate from.
DISTURBED_BELOW = 0.15


def disturbed(figures: dict[str, Any]) -> bool:
    """Whether a closed-loop phase measured something other than a capacity (the server's
    share from its steady window where it has one: a phase's start-up is idle time)."""
    window = figures.get("window_s")
    server = figures.get("window_server_cpu_s") if window else figures.get("server_cpu_s")
    span = window or figures.get("duration_s")
    if not span or server is None:
        return False
    busy = figures.get("generator_busy") or 0.0
    return bool(busy < DISTURBED_BELOW and server / span < DISTURBED_BELOW)


def carried(quantile: float, samples: int) -> bool:
    """Whether `samples` latencies carry this percentile (MIN_BEYOND beyond it)."""
    return samples * (1 - quantile) >= MIN_BEYOND - 1e-9


def request_counts(per_second: list[list[int]]) -> tuple[int, int]:
    ok = sum(row[1] for row in per_second)
    failed = sum(row[2] for row in per_second)
    return ok, failed


def steady_throughput(per_second: list[list[int]], window_s: float | None = None) -> float | None:
    """Mean completed requests/s, leaving out the first and last (partial) seconds.

    A phase too short to have a full second inside is divided by its test window.
    """
    inner = per_second[1:-1]
    if inner:
        return statistics.fmean(row[1] + row[2] for row in inner)
    if per_second and window_s:
        return sum(row[1] + row[2] for row in per_second) / window_s
    return None


def peak_throughput(per_second: list[list[int]], window_s: float | None = None) -> float | None:
    """The best full second: maximum throughput during a ramp to saturation."""
    inner = per_second[1:-1]
    if inner:
        return float(max(row[1] for row in inner))
    return steady_throughput(per_second, window_s)


def per_request_us(cpu_seconds: float | None, requests: int) -> float | None:
    if cpu_seconds is None or requests <= 0:
        return None
    return cpu_seconds / requests * 1e6


def steady_batches(
    row: dict[str, Any], hdr: dict[str, Any] | None, ticks: list[Tick]
) -> list[Batch]:
    """The phase's steady window, second by second (none for a shaped phase, a phase too
    short to have one, or an older folder without ticks)."""
    generator = (hdr or {}).get("generator") or {}
    planned = row.get("planned_s")
    if not ticks or not planned:
        return []
    window = steady_window(
        generator.get("test_started"), generator.get("test_stopped"), planned, SPAWN_SECONDS
    )
    if window is None:
        return []
    return batches(ticks, (hdr or {}).get("per_second", []), window)


def phase_figures(
    row: dict[str, Any], hdr: dict[str, Any] | None, ticks: list[Tick] | None = None
) -> dict[str, Any]:
    """Add requests, throughput, latency percentiles and CPU per request to a phase row.

    Throughput and CPU per request come from the steady window where the phase has one
    (authlab.bench.window: ramp-up and shutdown left out), else from the whole phase, and
    `cpu_window` says which."""
    figures = dict(row)
    per_second = (hdr or {}).get("per_second", [])
    window = ((hdr or {}).get("generator") or {}).get("wall_seconds")
    ok, failed = request_counts(per_second)
    total = ok + failed
    figures.update(
        requests_ok=ok,
        requests_failed=failed,
        error_rate=round(failed / total, 6) if total else None,
        throughput_rps=steady_throughput(per_second, window),
        peak_rps=peak_throughput(per_second, window),
        server_cpu_us_per_request=per_request_us(row.get("server_cpu_s"), total),
        redis_cpu_us_per_request=per_request_us(row.get("redis_cpu_s"), total),
        redis_commands_per_request=(
            row["redis_commands"] / total if total and "redis_commands" in row else None
        ),
        cpu_window="whole phase",
    )
    steady = window_figures(steady_batches(row, hdr, ticks or []))
    counted = steady.get("window_requests") or 0
    if counted:
        commands = steady.get("window_redis_commands")
        figures.update(
            steady,
            cpu_window="steady",
            throughput_rps=counted / steady["window_s"],
            server_cpu_us_per_request=per_request_us(steady["window_server_cpu_s"], counted),
            redis_cpu_us_per_request=per_request_us(steady["window_redis_cpu_s"], counted),
            redis_commands_per_request=None if commands is None else commands / counted,
        )
    generator = (hdr or {}).get("generator") or {}
    if generator.get("cpu_seconds") is not None and generator.get("wall_seconds"):
        # The generator's CPU while the test ran (without Locust's start-up).
        busy = generator["cpu_seconds"] / generator["wall_seconds"] / generator.get("processes", 1)
        figures["generator_busy"] = round(busy, 4)
        figures["generator_saturated"] = busy > GENERATOR_SATURATION
    if not per_second:
        # No request was made: Locust failed to start (its log says why).
        figures["generator_saturated"] = False
    # A phase's latency is that of what it exercises: logging in at its start
    # is not part of browsing (the login storm has its own phase).
    leave_out = () if row.get("scenario") == "login_storm" else phase_ids.LEFT_OUT
    for kind in ("service", "corrected"):
        summary = aggregate((hdr or {}).get(kind, {}), leave_out)
        samples = int(summary.get("count") or 0) if summary else 0
        if kind == "corrected" or not figures.get("latency_samples"):
            # The summary's percentiles are the corrected ones (service where none).
            figures["latency_samples"] = samples or figures.get("latency_samples", 0)
        for name, quantile in PERCENTILES.items():
            # Beyond what the sample carries a percentile is left empty ("n/a" on the page).
            shown = summary is not None and carried(quantile, samples)
            figures[f"{kind}_{name}"] = summary[name] if shown and summary else None
    return figures


def latency_rows(base: dict[str, Any], hdr: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for kind in ("service", "corrected"):
        for request, summary in (hdr or {}).get(kind, {}).items():
            rows.append(
                {
                    **base,
                    "kind": kind,
                    "request": request,
                    **{k: v for k, v in summary.items() if k != "encoded"},
                }
            )
    return rows


def median_spread(values: list[float]) -> tuple[float | None, float | None, float | None]:
    clean = [v for v in values if v is not None]
    if not clean:
        return None, None, None
    return statistics.median(clean), min(clean), max(clean)


# Above this the lab's server costs noticeably more than its plain twin, and a
# comparison between variants would measure the lab, not the credential.

# The credential alone: authenticated GET /me only (logged in beforehand): capacity from
# the closed loop; CPU per request and latency at one offered rate for every variant of a
# run (half the slowest one's capacity, authlab.bench.runner); the overhead's pair.
CREDENTIAL_CLOSED = phase_ids.ME_CLOSED
CREDENTIAL_RATE = phase_ids.ME_RATE
CREDENTIAL_PAIR = phase_ids.ME_PAIR

SUMMARY_FIGURES = {
    # column in phases.csv -> (phase it comes from, name in the summary)
    "throughput_rps": (CREDENTIAL_CLOSED, "max_throughput_rps"),
    "corrected_p50_us": (CREDENTIAL_RATE, "p50_us"),
    "corrected_p99_us": (CREDENTIAL_RATE, "p99_us"),
    "corrected_p999_us": (CREDENTIAL_RATE, "p999_us"),
    "server_cpu_us_per_request": (CREDENTIAL_RATE, "server_cpu_us_per_request"),
    "redis_cpu_us_per_request": (CREDENTIAL_RATE, "store_cpu_us_per_request"),
    "offered_rps": (CREDENTIAL_RATE, "offered_rps"),
    "window_s": (CREDENTIAL_RATE, "window_s"),
    "window_requests": (CREDENTIAL_RATE, "window_requests"),
    "latency_samples": (CREDENTIAL_RATE, "latency_samples"),
}
# The same figures in a realistic request mix (browsing with transfers), prefixed mix_.
MIX_FIGURES = {
    "peak_rps": (phase_ids.STEP, "mix_max_throughput_rps"),
    "corrected_p50_us": (phase_ids.FIXED_RATE, "mix_p50_us"),
    "corrected_p99_us": (phase_ids.FIXED_RATE, "mix_p99_us"),
    "corrected_p999_us": (phase_ids.FIXED_RATE, "mix_p999_us"),
    "server_cpu_us_per_request": (phase_ids.STEP, "mix_server_cpu_us_per_request"),
    "redis_cpu_us_per_request": (phase_ids.STEP, "mix_store_cpu_us_per_request"),
}


def summarise_variants(
    phases: list[dict[str, Any]], floors: dict[str, str | None] | None = None
) -> list[dict[str, Any]]:
    """One row per variant: medians over repetitions, with min and max beside them.
    `floors`: each variant's no-auth floor, where it is not the lab's "baseline" (a
    server on another runtime, from a target file, has its runtime's or none)."""
    variants = list(dict.fromkeys(row["variant"] for row in phases))
    summary = []
    for variant in variants:
        rows = [row for row in phases if row["variant"] == variant]
        out: dict[str, Any] = {"variant": variant}
        # Two tables, not one merged dict: both read corrected_p99_us, from different phases.
        for column, (phase, name) in [*SUMMARY_FIGURES.items(), *MIX_FIGURES.items()]:
            values = [row.get(column) for row in rows if row["phase"] == phase]
            median, low, high = median_spread([v for v in values if v is not None])
            out[name] = median
            out[f"{name}_min"] = low
            out[f"{name}_max"] = high
        login = [r.get("throughput_rps") for r in rows if r["phase"] == phase_ids.LOGIN_STORM]
        out["login_rps"] = median_spread([v for v in login if v is not None])[0]
        login_cpu = [
            r.get("server_cpu_us_per_request") for r in rows if r["phase"] == phase_ids.LOGIN_STORM
        ]
        out["login_server_cpu_us"] = median_spread([v for v in login_cpu if v is not None])[0]
        out["errors"] = sum(int(r.get("requests_failed") or 0) for r in rows)
        out["requests"] = sum(int(r.get("requests_ok") or 0) for r in rows)
        out["generator_saturated"] = any(bool(r.get("generator_saturated")) for r in rows)
        # A capacity the generator limited is a lower bound: "at least N" on the page.
        out["capacity_at_least"] = any(
            bool(r.get("generator_saturated")) for r in rows if r["phase"] == CREDENTIAL_CLOSED
        )
        out["repetitions"] = len({r.get("repetition") for r in rows})
        summary.append(out)
    cost_of = {row["variant"]: _summary_cost_us(row) for row in summary}
    for out in summary:
        # The check cost: what checking the credential adds to a request above the no-auth
        # floor of its runtime, server and store CPU both (a session's store lookup is part
        # of its check).
        cpu = cost_of.get(out["variant"])
        floor_name = (floors or {}).get(out["variant"], "baseline")
        floor = cost_of.get(floor_name) if floor_name else None
        out["credential_cpu_us"] = cpu - floor if cpu is not None and floor is not None else None
    return summary


def _summary_cost_us(row: dict[str, Any]) -> float | None:
    server = row.get("server_cpu_us_per_request")
    if server is None:
        return None
    return float(server) + float(row.get("store_cpu_us_per_request") or 0.0)


def _request_cost_us(row: dict[str, Any]) -> float | None:
    """Server and store CPU of one request: what the credential costs the deployment."""
    server = row.get("server_cpu_us_per_request")
    if server is None:
        return None
    return float(server) + float(row.get("redis_cpu_us_per_request") or 0.0)


def overhead_rows(pair_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each variant's cost per request beside its plain twin's, loaded at the same time.

    The ratio is that of the two medians over repetitions, so that the row reads
    plainly (authlab_us / plain_us); its spread is that of the per-repetition
    ratios. `shared_store`: one Redis served both sides (a --redis-url for all), so
    its CPU is in neither figure.
    """
    # variant -> repetition -> "authlab" / "plain" -> its row
    sides: dict[str, dict[Any, dict[str, dict[str, Any]]]] = {}
    for row in pair_rows:
        if row.get("phase") == CREDENTIAL_PAIR:
            repetitions = sides.setdefault(row["variant"], {})
            repetitions.setdefault(row["repetition"], {})[row["server"]] = row
    rows = []
    for variant, repetitions in sides.items():
        pairs = []
        shared_store = False
        for pair in repetitions.values():
            if set(pair) != {"authlab", "plain"}:
                continue
            lab_us, twin_us = _request_cost_us(pair["authlab"]), _request_cost_us(pair["plain"])
            if lab_us is not None and twin_us:
                pairs.append((twin_us, lab_us, lab_us / twin_us))
                shared_store |= bool(pair["authlab"].get("shared_store"))
        if not pairs:
            continue
        plain_us = median_spread([p[0] for p in pairs])[0]
        lab_us = median_spread([p[1] for p in pairs])[0]
        _, low, high = median_spread([p[2] for p in pairs])
        ratio = lab_us / plain_us if lab_us is not None and plain_us else None
        rows.append(
            {
                "variant": variant,
                "plain_us": plain_us,
                "authlab_us": lab_us,
                "ratio": ratio,
                "ratio_min": low,
                "ratio_max": high,
                "repetitions": len(pairs),
                "shared_store": shared_store,
            }
        )
    return rows
