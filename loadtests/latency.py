"""Exact latencies in HdrHistograms (Locust rounds its own), one per request name.

Two histograms per name: `service` times a request from when it was sent;
`corrected` times it from when it was due under the open model, so that a
stalled server cannot hide its stall by delaying the next requests
(coordinated omission, as wrk2 corrects it).
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from hdrh.histogram import HdrHistogram
from locust import events

from loadtests.running_note import RUNNING_OUT_ENV, write_running_note
from results_format.hdr_files import summarise

_LOWEST_US, _HIGHEST_US, _DIGITS = 1, 60_000_000, 3
_service: dict[str, HdrHistogram] = defaultdict(
    lambda: HdrHistogram(_LOWEST_US, _HIGHEST_US, _DIGITS)
)
_corrected: dict[str, HdrHistogram] = defaultdict(
    lambda: HdrHistogram(_LOWEST_US, _HIGHEST_US, _DIGITS)
)
_bytes: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # response bytes, count
# Completed requests per wall-clock second, ok and failed: Locust's own
# requests/s is a sliding average, too smooth for a 2-second step or an outage.
_per_second: dict[int, list[int]] = defaultdict(lambda: [0, 0])


def _clamp(microseconds: float) -> int:
    return max(_LOWEST_US, min(_HIGHEST_US, int(microseconds)))


def record_corrected(name: str, microseconds: float) -> None:
    _corrected[name].record_value(_clamp(microseconds))


@events.request.add_listener  # type: ignore[untyped-decorator]  # Locust hooks: unannotated
def _on_request(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    exception: BaseException | None = None,
    **_: Any,
) -> None:
    key = f"{request_type} {name}"
    _per_second[int(time.time())][1 if exception else 0] += 1
    # Locust hands response_time in milliseconds as a float: keep microseconds.
    _service[key].record_value(_clamp(response_time * 1000))
    _bytes[key][0] += response_length or 0
    _bytes[key][1] += 1


def dump(path: str) -> None:
    data = {
        "service": {name: summarise(h) for name, h in _service.items()},
        "corrected": {name: summarise(h) for name, h in _corrected.items()},
        "response_bytes": {name: {"bytes": b, "count": c} for name, (b, c) in _bytes.items()},
        "per_second": [
            [second, ok, failed] for second, (ok, failed) in sorted(_per_second.items())
        ],
        "generator": {
            "cpu_seconds": _test_window.get("cpu_used"),
            "wall_seconds": _test_window.get("wall_used"),
            # Wall-clock (time.time) start and stop of the test: where the harness's
            # steady-state window (authlab.bench.window) is drawn from.
            "test_started": _test_window.get("started"),
            "test_stopped": _test_window.get("stopped"),
        },
    }
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w") as handle:
        json.dump(data, handle)
    os.replace(temporary, path)


_test_window: dict[str, float] = {}


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@events.test_start.add_listener  # type: ignore[untyped-decorator]  # Locust hooks: unannotated
def _on_test_start(**_: Any) -> None:
    # The generator's own CPU while it generates load, without Locust's start-up
    # (imports alone cost most of a second): what says whether it was saturated.
    _test_window.update(cpu=_cpu_seconds(), wall=time.monotonic(), started=time.time())


@events.spawning_complete.add_listener  # type: ignore[untyped-decorator]  # Locust hooks: unannotated
def _on_spawning_complete(**_: Any) -> None:
    # Every user runs from here: what the orchestrator times a store's freeze from.
    out = os.environ.get(RUNNING_OUT_ENV)
    if out:
        write_running_note(Path(out), time.time(), _test_window.get("started"))


@events.test_stop.add_listener  # type: ignore[untyped-decorator]  # Locust hooks: unannotated
def _on_test_stop(**_: Any) -> None:
    if "cpu" in _test_window:
        _test_window.update(
            cpu_used=_cpu_seconds() - _test_window["cpu"],
            wall_used=time.monotonic() - _test_window["wall"],
            stopped=time.time(),
        )


@events.quitting.add_listener  # type: ignore[untyped-decorator]  # Locust hooks: unannotated
def _on_quitting(environment: Any, **_: Any) -> None:
    from locust.runners import MasterRunner

    out = os.environ.get("AUTHLAB_HDR_OUT")
    # A master sends no requests: only the processes that do write histograms.
    if out and not isinstance(environment.runner, MasterRunner):
        # One file per process: with Locust workers each dumps its own, the
        # orchestrator adds them up (HdrHistograms add exactly).
        dump(out if "{pid}" not in out else out.replace("{pid}", str(os.getpid())))
