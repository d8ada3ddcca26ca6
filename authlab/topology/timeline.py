"""What the load's answers say around a failure: per-second success, when requests
succeeded again, who had to log in again. Times are time.time() of the answers
(loadtests/scenarios/cloud.py writes them down), seconds relative to the failure."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Event = dict[str, Any]


def load_events(directory: Path) -> list[Event]:
    events: list[Event] = []
    for path in sorted(directory.glob("events-*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # the last line of a process killed mid-write
    events.sort(key=lambda event: event["t"])
    return events


def ok(event: Event) -> bool:
    """An answer that gave the user what it asked for ("lost" marks a refused credential,
    already counted on the request that was refused)."""
    return 200 <= int(event["s"]) < 300


def per_second(
    events: Iterable[Event], origin: float, base: dict[str, Any]
) -> list[dict[str, Any]]:
    """One row per whole second around origin (second 0 starts at the failure)."""
    buckets: dict[int, dict[str, int]] = {}
    for event in events:
        second = math.floor(event["t"] - origin)
        bucket = buckets.setdefault(
            second, {"requests": 0, "ok": 0, "me_ok": 0, "me_failed": 0, "forced_logins": 0}
        )
        if event["op"] == "lost":
            bucket["forced_logins"] += 1
            continue
        bucket["requests"] += 1
        bucket["ok"] += ok(event)
        if event["op"] == "me":
            bucket["me_ok" if ok(event) else "me_failed"] += 1
    rows = []
    for second in sorted(buckets):
        bucket = buckets[second]
        rows.append(
            {
                **base,
                "second": second,
                **bucket,
                "failed": bucket["requests"] - bucket["ok"],
                "success_rate": bucket["ok"] / bucket["requests"] if bucket["requests"] else None,
            }
        )
    return rows


def answers(events: Iterable[Event]) -> list[Event]:
    """The requests' answers, without the "lost" marks."""
    return [e for e in events if e["op"] != "lost"]


def failures_after(events: Iterable[Event], origin: float) -> list[Event]:
    return [e for e in answers(events) if e["t"] >= origin and not ok(e)]


def recovery_seconds(events: list[Event], origin: float, settle: float = 1.0) -> float | None:
    """Seconds from origin until requests succeeded again: to the last failed answer
    before the load's last `settle` seconds, 0.0 if none failed. None when most answers
    of those last seconds failed: it had not recovered when the load ended. (The very
    end is left out: users stopped mid-request by Locust are not the failure's doing.)"""
    after = [e for e in answers(events) if e["t"] >= origin]
    if not after:
        return None
    end = after[-1]["t"] - settle
    last = [e for e in after if e["t"] >= end]
    if sum(ok(e) for e in last) < len(last) / 2:
        return None
    failed = [e for e in after if not ok(e) and e["t"] < end]
    if not failed:
        return 0.0
    return round(float(failed[-1]["t"]) - origin, 2)


def forced_users(events: Iterable[Event], origin: float) -> set[str]:
    """Accounts that had to log in again (their credential stopped working) after origin."""
    return {e["u"] for e in events if e["t"] >= origin and e["op"] == "lost"}


def success_between(events: Iterable[Event], start: float, end: float) -> float | None:
    """Share of answers that were OK in [start, end)."""
    window = [e for e in answers(events) if start <= e["t"] < end]
    return sum(ok(e) for e in window) / len(window) if window else None


def last_ok_between(events: Iterable[Event], start: float, end: float) -> float | None:
    """Seconds after start of the last OK GET /me before end: how long it kept serving."""
    served: list[float] = [
        e["t"] for e in events if start <= e["t"] < end and e["op"] == "me" and ok(e)
    ]
    if not served:
        return None
    return round(max(served) - start, 2)
