"""A phase's steady state: the seconds after every user runs and before any stops.

While Locust runs, the harness reads the server's and its store's CPU at every whole
wall-clock second (Ticker, in authlab.bench.phase); the generator counts completed
requests per whole second (loadtests/latency.py) and notes when its test started
and stopped. The window is drawn afterwards from those two moments: it starts once the
users have all been spawned and have settled, and ends before the run time is up, so
neither ramp-up nor shutdown is in a phase's CPU or request count. Each second inside
the window is one batch: the intervals of reports.intervals resample them.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

# After the last user is spawned: how long before the load counts as steady (new
# connections, first requests of each user).
SETTLE_SECONDS = 0.5
# Locust stops its users when the run time is up: the window ends this much before.
STOP_MARGIN_SECONDS = 0.1


@dataclass(frozen=True)
class Tick:
    """CPU counters read just after a whole wall-clock second began."""

    second: int
    server_cpu_s: float | None
    redis_cpu_s: float | None = None
    redis_commands: int | None = None


@dataclass(frozen=True)
class Batch:
    """One second (or more, where a tick was missed) of the steady window."""

    second: int
    seconds: int
    requests: int
    server_cpu_s: float | None
    redis_cpu_s: float | None
    redis_commands: int | None

    def as_row(self) -> dict[str, Any]:
        return {
            "second": self.second,
            "seconds": self.seconds,
            "requests": self.requests,
            "server_cpu_s": self.server_cpu_s,
            "redis_cpu_s": self.redis_cpu_s,
            "redis_commands": self.redis_commands,
        }


def steady_window(
    test_started: float | None,
    test_stopped: float | None,
    run_seconds: float,
    spawn_seconds: float,
) -> tuple[int, int] | None:
    """The whole seconds [first, last] between which a phase is steady; None when the
    phase is too short to have two such seconds (or the generator noted no start)."""
    if test_started is None:
        return None
    first = math.ceil(test_started + spawn_seconds + SETTLE_SECONDS)
    end = test_started + run_seconds
    if test_stopped is not None:
        end = min(end, test_stopped)
    last = math.floor(end - STOP_MARGIN_SECONDS)
    return (first, last) if last > first else None


def _delta(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before


def batches(ticks: list[Tick], per_second: list[list[int]], window: tuple[int, int]) -> list[Batch]:
    """The window cut into the spans between consecutive ticks inside it, each with the
    requests completed in it (ok and failed) and the CPU the server and store spent."""
    completed = {int(row[0]): int(row[1]) + int(row[2]) for row in per_second}
    by_second = {tick.second: tick for tick in ticks}
    first, last = window
    seconds = [s for s in range(first, last + 1) if s in by_second]
    found = []
    for start, stop in itertools.pairwise(seconds):
        before, after = by_second[start], by_second[stop]
        commands = _delta(after.redis_commands, before.redis_commands)
        found.append(
            Batch(
                second=start,
                seconds=stop - start,
                requests=sum(completed.get(s, 0) for s in range(start, stop)),
                server_cpu_s=_delta(after.server_cpu_s, before.server_cpu_s),
                redis_cpu_s=_delta(after.redis_cpu_s, before.redis_cpu_s),
                # The tick's own INFO is one command a second: not the variant's.
                redis_commands=None if commands is None else int(commands) - (stop - start),
            )
        )
    return found


def _total(values: list[float | None]) -> float | None:
    return None if not values or any(v is None for v in values) else sum(v or 0.0 for v in values)


def window_figures(found: list[Batch]) -> dict[str, Any]:
    """A phase's steady-window totals (None where the window has no batch)."""
    if not found:
        return {}
    return {
        "window_start": found[0].second,
        "window_s": sum(b.seconds for b in found),
        "window_requests": sum(b.requests for b in found),
        "window_server_cpu_s": _total([b.server_cpu_s for b in found]),
        "window_redis_cpu_s": _total([b.redis_cpu_s for b in found]),
        "window_redis_commands": _total([b.redis_commands for b in found]),
    }
