"""Redis frozen (SIGSTOP) for some seconds mid-run, then resumed (SIGCONT): what each
variant answers while its store is away, second by second."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from authlab.bench.at_once import at_once
from authlab.bench.derive import SPAWN_SECONDS
from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext, variants_running
from authlab.bench.experiments.outage_timeline import per_second_rows
from authlab.bench.phase import Phase
from authlab.bench.variant_servers import RunningVariant
from loadtests.running_note import RUNNING_OUT_ENV, await_running, read_running_note


@dataclass(frozen=True)
class OutageParams:
    variants: tuple[str, ...] = ("session-redis", "token-hs256", "token-hs256-denylist")
    # Counted from the moment every user runs (logged in, or logging in): before, during, after.
    seconds: tuple[float, float, float] = (3.0, 3.0, 4.0)


def run(context: ExperimentContext, params: OutageParams) -> None:
    before, during, after = params.seconds
    # The users' ramp comes first and is not part of `before`, so the run is that much longer.
    phase = Phase("outage", "browse", SPAWN_SECONDS + before + during + after, 8, rate_per_user=10)
    # Every variant at once, each with a Redis of its own (the one it freezes): what is
    # counted is which requests succeed while the store is away, at a light load, not what
    # they cost, so a neighbour's seconds change nothing; one after the other they took
    # about 10 s each.
    with variants_running(context, params.variants, private_redis=True) as running:
        outcomes = at_once(
            [partial(_freeze_under_load, context, one, phase, params) for one in running.values()]
        )
    for name, (hdr, origin, outage) in zip(running, outcomes, strict=True):
        context.write_table("outage", *per_second_rows(name, hdr, origin, outage))


Outcome = tuple[dict[str, Any] | None, float, tuple[float, float]]


def _freeze_under_load(
    context: ExperimentContext, running: RunningVariant, phase: Phase, params: OutageParams
) -> Outcome:
    """The phase on one variant while its store is frozen: the latency file, the second the
    load started and when the store stopped and resumed."""
    before, during, _ = params.seconds
    name = running.variant.name
    redis = running.redis
    assert redis is not None and redis.process is not None
    # Written by the Locust process (loadtests/running_note.py) once every user runs.
    marker = context.workspace.directory / f"outage-{name}-running.json"
    marker.unlink(missing_ok=True)
    timestamps: dict[str, float] = {}
    over = threading.Event()
    freezer = threading.Thread(
        target=freeze_store,
        args=(redis.process.pid, before, during, partial(read_running_note, marker)),
        kwargs={"timestamps": timestamps, "wait": over.wait},
        daemon=True,
    )
    try:
        started = time.time()
        freezer.start()
        hdr = context.measure_phase(
            running.target, phase, "outage", extra_env={RUNNING_OUT_ENV: str(marker)}
        ).hdr
        over.set()  # a phase that ended before its freeze (a failed Locust) freezes nothing
        freezer.join()
    finally:
        over.set()
        signal_pid(redis.process.pid, signal.SIGCONT)
    # Seconds are numbered from the load's start where the generator noted it.
    origin = ((hdr or {}).get("generator") or {}).get("test_started") or started
    return hdr, origin, (timestamps.get("stopped", origin), timestamps.get("resumed", origin))


def signal_pid(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def freeze_store(
    pid: int,
    before: float,
    during: float,
    load_running: Callable[[], float | None],
    *,
    timestamps: dict[str, float],
    wait: Callable[[float], bool],
    now: Callable[[], float] = time.time,
    send: Callable[[int, int], None] = signal_pid,
) -> None:
    """SIGSTOP the store `before` seconds after the phase's users all run, SIGCONT it
    `during` seconds later.

    A frozen Redis keeps its data and its sockets, but answers nothing: what a
    network partition or a stalled store looks like to the server. The freeze is timed
    from the load, not from when the phase was asked for: Locust takes a second or more
    to start, several on a loaded machine, and a freeze timed from before it caught the
    users' logins, so that a stateless token failed and every second looked alike.
    `load_running` says when the users all ran (None: not yet); `wait(seconds)` waits
    and says whether the phase is over meanwhile (then nothing more is frozen).
    """
    running = await_running(load_running, wait)
    if running is None:
        return
    if wait(max(0.0, running + before - now())):
        return
    timestamps["stopped"] = now()
    send(pid, signal.SIGSTOP)
    try:
        wait(during)  # the phase ending early resumes the store at once
    finally:
        send(pid, signal.SIGCONT)
        timestamps["resumed"] = now()


EXPERIMENT = Experiment(
    "outage",
    "the store frozen mid-run",
    ("outage",),
    OutageParams(),
    run,
    variants=lambda params: params.variants,
)
