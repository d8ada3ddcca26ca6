"""A process's CPU time from the kernel's scheduler clock, to the nanosecond.

psutil reads /proc/<pid>/stat, which counts in clock ticks of 10 ms. A server at the
matched rate spends 0.1-0.3 s of CPU a second, so a second's reading was 10-30 ticks,
each end of a window off by up to one: 3-10% of a second's figure, and the deciding
ratios subtract one variant's cost from another's. The process-wide CPU-time clock
(clock_getcpuclockid(3)) is the scheduler's own sum, per nanosecond, and like
/proc/<pid>/stat it keeps the time of threads that have ended.
"""

from __future__ import annotations

import time

import psutil

# Linux's CPUCLOCK_SCHED: the clock that sums the scheduler's runtime (not a profiling
# clock sampled at ticks).
_CPUCLOCK_SCHED = 2


def process_clock_id(pid: int) -> int:
    """The clock id of `pid`'s process-wide CPU-time clock: what clock_getcpuclockid(3)
    returns on Linux (MAKE_PROCESS_CPUCLOCK in the kernel's posix-timers.h)."""
    return ((~pid) << 3) | _CPUCLOCK_SCHED


def cpu_seconds(process: psutil.Process) -> float:
    """The CPU seconds `process` has used, its own threads' to the nanosecond where the
    kernel lets us read its clock (else from its ticks), plus its waited-for children's
    (from ticks: the kernel keeps no finer sum for them). psutil.Error if it is gone."""
    times = process.cpu_times()
    try:
        own = time.clock_gettime(process_clock_id(process.pid))
    except (OSError, OverflowError):
        # Not Linux, or a process whose clock we may not read: its ticks.
        own = times.user + times.system
    return float(own + times.children_user + times.children_system)
