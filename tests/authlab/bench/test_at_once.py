"""Phases side by side: every call runs at the same time, results come back in order."""

from __future__ import annotations

import functools
import threading
import time

import pytest

from authlab.bench.at_once import at_once


def test_the_calls_run_at_the_same_time_and_return_in_order() -> None:
    # Each call waits for all the others to have started: one after the other, the first
    # would wait in vain and raise BrokenBarrierError.
    together = threading.Barrier(3, timeout=10)

    def call(value: int) -> int:
        together.wait()
        return value

    assert at_once([functools.partial(call, v) for v in (3, 1, 2)]) == [3, 1, 2]


def test_an_error_comes_back_only_after_every_other_call_has_ended() -> None:
    ended: list[str] = []

    def slow() -> str:
        time.sleep(0.2)
        ended.append("slow")
        return "slow"

    def failing() -> str:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        at_once([failing, slow])
    assert ended == ["slow"]  # no phase left running behind the error


def test_one_call_runs_on_the_callers_thread() -> None:
    assert at_once([threading.current_thread]) == [threading.current_thread()]
