"""The latency file format (hdr*.json): HdrHistograms from Locust processes, merged exactly,
summarised alike. Written by loadtests/latency.py, read by the harness (authlab.bench) and the
report: part of the results folder's contract, so it lives here, below all three."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from hdrh.histogram import HdrHistogram

PERCENTILES = {"p50_us": 50.0, "p90_us": 90.0, "p99_us": 99.0, "p999_us": 99.9}


def decode(encoded: str) -> HdrHistogram:
    return HdrHistogram.decode(encoded.encode("ascii"))


def summarise(histogram: HdrHistogram) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "count": histogram.get_total_count(),
        "min_us": histogram.get_min_value(),
        "mean_us": histogram.get_mean_value(),
        "max_us": histogram.get_max_value(),
    }
    for name, percentile in PERCENTILES.items():
        summary[name] = histogram.get_value_at_percentile(percentile)
    summary["encoded"] = histogram.encode().decode("ascii")
    return summary


def merge(encoded: list[str]) -> HdrHistogram:
    first = decode(encoded[0])
    for other in encoded[1:]:
        first.add(decode(other))
    return first


def merge_hdr_files(files: list[Path]) -> dict[str, Any]:
    datas = [json.loads(path.read_text()) for path in files]
    merged: dict[str, Any] = {
        "service": {},
        "corrected": {},
        "response_bytes": {},
        "per_second": [],
    }
    for kind in ("service", "corrected"):
        names = {name for data in datas for name in data.get(kind, {})}
        for name in names:
            parts = [d[kind][name]["encoded"] for d in datas if name in d.get(kind, {})]
            merged[kind][name] = summarise(merge(parts))
    sizes: dict[str, dict[str, int]] = defaultdict(lambda: {"bytes": 0, "count": 0})
    seconds: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for data in datas:
        for name, value in data.get("response_bytes", {}).items():
            sizes[name]["bytes"] += value["bytes"]
            sizes[name]["count"] += value["count"]
        for second, ok, failed in data.get("per_second", []):
            seconds[second][0] += ok
            seconds[second][1] += failed
    merged["response_bytes"] = dict(sizes)
    merged["per_second"] = [[s, ok, bad] for s, (ok, bad) in sorted(seconds.items())]
    generators = [d.get("generator") or {} for d in datas]
    cpu = [g["cpu_seconds"] for g in generators if g.get("cpu_seconds") is not None]
    wall = [g["wall_seconds"] for g in generators if g.get("wall_seconds") is not None]
    started = [g["test_started"] for g in generators if g.get("test_started") is not None]
    stopped = [g["test_stopped"] for g in generators if g.get("test_stopped") is not None]
    merged["generator"] = {
        "cpu_seconds": sum(cpu) if cpu else None,
        "wall_seconds": max(wall) if wall else None,
        "processes": len(datas),
        # Steady once the last worker runs, until the first stops.
        "test_started": max(started) if started else None,
        "test_stopped": min(stopped) if stopped else None,
    }
    return merged


def aggregate(kind_data: dict[str, Any], leave_out: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """All request names of a phase in one histogram (but those left out)."""
    encoded = [
        value["encoded"]
        for name, value in kind_data.items()
        if value.get("count") and name not in leave_out
    ]
    return summarise(merge(encoded)) if encoded else None
