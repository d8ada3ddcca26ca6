"""Redis frozen (SIGSTOP) for some seconds mid-run, then resumed (SIGCONT): what each
variant answers while its store is away, second by second."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from typing import TYPE_CHECKING

from authlab.bench.experiments.timeline import per_second_rows
from authlab.bench.profiles import Phase
from authlab.bench.variant_servers import start_variant
from authlab.bench.variants import VARIANTS

if TYPE_CHECKING:
    from authlab.bench.runner import Bench
    from authlab.bench.variant_servers import Workspace
    from authlab.processes import ProcessGroup


def run_experiment(bench: Bench, group: ProcessGroup, workspace: Workspace) -> None:
    before, during, after = bench.profile.outage_seconds
    phase = Phase("outage", "browse", before + during + after, 8, rate_per_user=10)
    for name in bench.profile.outage_variants:
        running = start_variant(group, VARIANTS[name], workspace, bench.logs, None)
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
            _, hdr = bench.measure_phase(group, running.target, phase, 0, workspace, label="outage")
            freezer.join()
        finally:
            signal_pid(redis.process.pid, signal.SIGCONT)
            running.stop(group)
        outage = (timestamps.get("stopped", started), timestamps.get("resumed", started))
        bench.tables["outage"].add(*per_second_rows(name, hdr, started, outage))


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
