"""A process's CPU time read from the scheduler's clock, not in 10 ms ticks."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest

from authlab.bench import cpu_clock

# A child that spins in two threads that end, then waits to be read.
SPIN_THEN_WAIT = """
import sys, threading
def spin():
    total = 0
    for i in range(2_000_000):
        total += i
threads = [threading.Thread(target=spin) for _ in range(2)]
[t.start() for t in threads]
[t.join() for t in threads]
print("spun", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def spun() -> psutil.Process:
    child = subprocess.Popen(
        [sys.executable, "-c", SPIN_THEN_WAIT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "spun"
    yield psutil.Process(child.pid)
    child.communicate("")


def test_a_process_reads_finer_than_its_ticks_and_keeps_its_ended_threads(
    spun: psutil.Process,
) -> None:
    ticks = spun.cpu_times()
    precise = cpu_clock.cpu_seconds(spun)
    # The same time as /proc/<pid>/stat counts (threads that ended included), to within
    # the ticks' rounding ...
    assert abs(precise - (ticks.user + ticks.system)) < 0.03
    assert precise > 0.05
    # ... but not in whole 10 ms ticks: ns resolution would land on one by chance 1 in 10^7.
    assert abs(precise * 100 - round(precise * 100)) > 1e-6
    # Idle, it does not move.
    time.sleep(0.05)
    assert cpu_clock.cpu_seconds(spun) == pytest.approx(precise, abs=1e-3)


def test_the_clock_id_is_the_one_the_kernel_gives_our_own_process() -> None:
    import os

    before = time.process_time()
    mine = time.clock_gettime(cpu_clock.process_clock_id(os.getpid()))
    after = time.process_time()
    assert before <= mine <= after


def test_a_clock_it_may_not_read_falls_back_to_ticks(
    spun: psutil.Process, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(clock: int) -> float:
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(cpu_clock.time, "clock_gettime", refuse)
    ticks = spun.cpu_times()
    assert cpu_clock.cpu_seconds(spun) == pytest.approx(ticks.user + ticks.system, abs=0.011)
