"""Redis frozen (SIGSTOP) for some seconds mid-run, then resumed (SIGCONT): what each
variant answers while its store is away, second by second."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass

from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext
from authlab.bench.experiments.outage_timeline import per_second_rows
from authlab.bench.phase import Phase
from authlab.bench.variants import VARIANTS


@dataclass(frozen=True)
class OutageParams:
    variants: tuple[str, ...] = ("session-redis", "token-hs256", "token-hs256-denylist")
    seconds: tuple[float, float, float] = (3.0, 3.0, 4.0)  # before, during, after


def run(context: ExperimentContext, params: OutageParams) -> None:
    before, during, after = params.seconds
    phase = Phase("outage", "browse", before + during + after, 8, rate_per_user=10)
    for name in params.variants:
        # A Redis of its own: the one it freezes.
        running = context.start_variant(VARIANTS[name], private_redis=True)
        redis = running.redis
        assert redis is not None and redis.process is not None
        timestamps: dict[str, float] = {}
        freezer = threading.Thread(
            target=freeze_store,
            args=(redis.process.pid, before, during, timestamps),
            daemon=True,
        )
        try:
            started = time.time()
            freezer.start()
            hdr = context.measure_phase(running.target, phase, "outage").hdr
            freezer.join()
        finally:
            signal_pid(redis.process.pid, signal.SIGCONT)
            running.stop(context.group)
        outage = (timestamps.get("stopped", started), timestamps.get("resumed", started))
        context.write_table("outage", *per_second_rows(name, hdr, started, outage))


def signal_pid(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def freeze_store(pid: int, before: float, during: float, timestamps: dict[str, float]) -> None:
    """SIGSTOP the store after `before` seconds, SIGCONT it `during` seconds later.

    A frozen Redis keeps its data and its sockets, but answers nothing: what a
    network partition or a stalled store looks like to the server.
    """
    time.sleep(before)
    timestamps["stopped"] = time.time()
    signal_pid(pid, signal.SIGSTOP)
    time.sleep(during)
    signal_pid(pid, signal.SIGCONT)
    timestamps["resumed"] = time.time()


EXPERIMENT = Experiment(
    "outage",
    "the store frozen mid-run",
    ("outage",),
    OutageParams(),
    run,
    variants=lambda params: params.variants,
)
