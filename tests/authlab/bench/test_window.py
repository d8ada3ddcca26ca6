"""The steady window of a phase: whole seconds after the ramp and before the stop."""

from __future__ import annotations

from authlab.bench.window import Tick, batches, steady_window, window_figures


def test_the_window_starts_after_the_spawn_and_settling_and_ends_before_the_stop() -> None:
    # Started at 100.2 s, 6 s run, users spawned in 1 s, settled 0.5 s later: 101.7 -> 102;
    # the run ends at 106.2 (stop margin 0.1): the last whole second is 106.
    assert steady_window(100.2, 106.5, 6, 1.0) == (102, 106)
    # An early stop cuts the window short.
    assert steady_window(100.2, 104.05, 6, 1.0) == (102, 103)


def test_a_phase_too_short_for_a_steady_second_has_no_window() -> None:
    assert steady_window(100.6, 102.7, 2, 1.0) is None
    assert steady_window(None, None, 6, 1.0) is None


def test_batches_pair_each_span_between_ticks_with_its_requests_and_cpu() -> None:
    ticks = [
        Tick(102, 1.0, 0.10, 1000),
        Tick(103, 1.2, 0.11, 1101),
        # 104 was missed: the next batch spans two seconds.
        Tick(105, 1.6, 0.13, 1303),
    ]
    per_second = [[101, 5, 0], [102, 100, 0], [103, 90, 10], [104, 100, 0], [105, 7, 0]]
    found = batches(ticks, per_second, (102, 105))
    assert [(b.second, b.seconds, b.requests) for b in found] == [(102, 1, 100), (103, 2, 200)]
    assert found[0].server_cpu_s == 1.2 - 1.0
    # Each tick's own INFO is one Redis command a second: left out.
    assert [b.redis_commands for b in found] == [100, 200]
    totals = window_figures(found)
    assert totals["window_s"] == 3 and totals["window_requests"] == 300
    assert totals["window_server_cpu_s"] == 1.6 - 1.0


def test_a_missing_store_reading_leaves_the_store_figure_empty() -> None:
    ticks = [Tick(1, 1.0, None), Tick(2, 1.5, None)]
    (batch,) = batches(ticks, [[1, 10, 0]], (1, 2))
    assert batch.redis_cpu_s is None and window_figures([batch])["window_redis_cpu_s"] is None
    assert window_figures([]) == {}
