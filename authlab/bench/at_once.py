"""Several phases at the same time, one thread each.

The figures a ratio compares are measured side by side: in the same seconds, a
neighbour's burst or a clock change on a shared machine falls on both sides alike.
Measured one after the other, seconds apart, a variant's CPU per request moved 10-30%
between repetitions on a shared 2-core machine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Start every call at the same time, each in a thread of its own, and return their
    results in the calls' order once all have ended (the first call's error, if any
    raised one, after all have ended: no phase is left running)."""
    if len(calls) <= 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]
