"""The open model's schedule: latencies from when a request was due, not from when it was sent."""

from __future__ import annotations

import pytest

from loadtests.pacing import OpenModelSchedule


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def no_phase(low: float, high: float) -> float:
    return low


def serve(schedule: OpenModelSchedule, clock: FakeClock, seconds: float) -> float:
    """One request sent now that takes `seconds`: its latency counted from when it was due."""
    due = schedule.due()
    clock.now += seconds
    return schedule.microseconds_since(due)


def run(schedule: OpenModelSchedule, clock: FakeClock, service_times: list[float]) -> list[float]:
    """A user that sends, waits for the answer, then sleeps what the schedule says."""
    latencies = []
    for seconds in service_times:
        latencies.append(serve(schedule, clock, seconds))
        clock.now += schedule.wait()
    return latencies


def test_a_stall_is_charged_to_every_request_that_fell_due_during_it() -> None:
    # 10 requests/s; the first answer takes a whole second, the next ones 10 ms each.
    clock = FakeClock()
    schedule = OpenModelSchedule(10, clock=clock, phase=no_phase)
    latencies = run(schedule, clock, [1.0] + [0.01] * 12)
    # The request due at 0.1 s is sent at 1.0 s and answered at 1.01 s: 910 ms late, although
    # its own service took 10 ms. The backlog drains by 90 ms a request until the schedule is
    # met again; a closed-loop recorder would have seen one slow request and twelve fast ones.
    expected = [1_000_000.0] + [max(10_000.0, 1_000_000.0 - n * 90_000.0) for n in range(1, 13)]
    assert latencies == pytest.approx(expected, abs=1e-3)


def test_a_server_that_keeps_up_shows_its_service_time() -> None:
    clock = FakeClock()
    schedule = OpenModelSchedule(10, clock=clock, phase=no_phase)
    assert run(schedule, clock, [0.02] * 5) == pytest.approx([20_000.0] * 5)


def test_the_schedule_keeps_its_rate_whatever_the_answers_take() -> None:
    clock = FakeClock()
    schedule = OpenModelSchedule(4, clock=clock, phase=no_phase)
    dues = []
    for seconds in [0.01, 0.6, 0.01, 0.01, 0.01]:
        dues.append(schedule.due())
        clock.now += seconds
        clock.now += schedule.wait()
    assert [due - 100.0 for due in dues] == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])


def test_without_a_rate_a_request_is_due_when_it_is_sent() -> None:
    clock = FakeClock()
    schedule = OpenModelSchedule(0, clock=clock, phase=no_phase)
    assert run(schedule, clock, [1.0, 0.01, 0.01]) == pytest.approx([1e6, 1e4, 1e4])
    assert schedule.wait() == 0.0


def test_users_start_at_a_random_phase_of_one_interval() -> None:
    clock = FakeClock()
    phases: list[tuple[float, float]] = []

    def record(low: float, high: float) -> float:
        phases.append((low, high))
        return high / 2

    schedule = OpenModelSchedule(5, clock=clock, phase=record)
    clock.now = 200.0
    schedule.start()
    assert phases[-1] == (0, 0.2)
    assert schedule.due() == pytest.approx(200.1)
