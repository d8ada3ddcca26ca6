"""Derived figures on fixed inputs, where the right answer is known."""

from __future__ import annotations

import pytest
from hdrh.histogram import HdrHistogram

from authlab.bench import derive
from authlab.bench.window import Tick
from results_format.hdr_files import aggregate, merge, summarise


def _encoded(*values: int) -> str:
    histogram = HdrHistogram(1, 60_000_000, 3)
    for value in values:
        histogram.record_value(value)
    return histogram.encode().decode("ascii")


def test_request_counts_add_ok_and_failed() -> None:
    assert derive.request_counts([[10, 5, 1], [11, 7, 0]]) == (12, 1)


def test_steady_throughput_leaves_out_partial_first_and_last_seconds() -> None:
    per_second = [[10, 3, 0], [11, 100, 0], [12, 80, 20], [13, 7, 0]]
    assert derive.steady_throughput(per_second) == 100.0


def test_short_phase_throughput_uses_the_test_window() -> None:
    assert derive.steady_throughput([[10, 30, 0], [11, 30, 0]], window_s=1.5) == 40.0
    assert derive.steady_throughput([[10, 30, 0]]) is None


def test_peak_throughput_is_the_best_full_second_of_successes() -> None:
    per_second = [[1, 999, 0], [2, 100, 0], [3, 300, 50], [4, 200, 0], [5, 999, 0]]
    assert derive.peak_throughput(per_second) == 300.0


def test_cpu_per_request_in_microseconds() -> None:
    assert derive.per_request_us(0.5, 1000) == pytest.approx(500.0)
    assert derive.per_request_us(None, 1000) is None
    assert derive.per_request_us(1.0, 0) is None


def test_phase_figures_leave_login_out_of_browsing_latency() -> None:
    hdr = {
        "per_second": [[1, 10, 0], [2, 10, 0], [3, 10, 0]],
        # 1,000 latencies: enough for a p99 (10 beyond it).
        "service": {
            "GET /me": summarise(merge([_encoded(*[1000] * 1000)])),
            "POST /login": summarise(merge([_encoded(50_000)])),
        },
        "corrected": {},
        "generator": {"cpu_seconds": 0.5, "wall_seconds": 1.0, "processes": 1},
    }
    row = {"variant": "v", "phase": "fixed-rate", "scenario": "browse", "server_cpu_s": 0.03}
    figures = derive.phase_figures(row, hdr)
    assert figures["requests_ok"] == 30
    assert figures["service_p99_us"] == pytest.approx(1000, rel=0.01)
    assert figures["server_cpu_us_per_request"] == pytest.approx(1000.0)
    assert figures["generator_busy"] == 0.5
    assert figures["generator_saturated"] is False


def test_login_storm_latency_counts_the_logins() -> None:
    hdr = {
        "per_second": [[1, 1, 0]],
        "service": {"POST /login": summarise(merge([_encoded(*[50_000] * 20)]))},
        "corrected": {},
    }
    figures = derive.phase_figures({"phase": "login-storm", "scenario": "login_storm"}, hdr)
    assert figures["service_p50_us"] == pytest.approx(50_000, rel=0.01)


def test_a_busy_generator_is_flagged_as_saturated() -> None:
    hdr = {
        "per_second": [[1, 1, 0]],
        "generator": {"cpu_seconds": 1.9, "wall_seconds": 2.0, "processes": 1},
    }
    assert derive.phase_figures({"scenario": "browse"}, hdr)["generator_saturated"] is True
    # Two Locust processes share the load: 1.9 CPU-seconds over 2 s is half of each.
    hdr["generator"]["processes"] = 2
    assert derive.phase_figures({"scenario": "browse"}, hdr)["generator_saturated"] is False


def test_a_phase_without_requests_is_not_called_saturated() -> None:
    figures = derive.phase_figures({"generator_busy": 0.99, "generator_saturated": True}, {})
    assert figures["generator_saturated"] is False
    assert figures["requests_ok"] == 0


def test_histograms_merge_exactly() -> None:
    merged = merge([_encoded(100, 200), _encoded(300)])
    assert merged.get_total_count() == 3
    assert merged.get_max_value() == pytest.approx(300, rel=0.01)
    both = aggregate(
        {"a": summarise(merge([_encoded(100)])), "b": summarise(merge([_encoded(900)]))}
    )
    assert both is not None and both["count"] == 2


def test_summary_takes_medians_over_repetitions_with_spread() -> None:
    phases = [
        {
            "variant": "a",
            "phase": "step",
            "repetition": r,
            "peak_rps": rps,
            "requests_ok": 10,
            "requests_failed": f,
            "server_cpu_us_per_request": 100.0,
        }
        for r, rps, f in ((0, 1000.0, 0), (1, 3000.0, 1), (2, 2000.0, 0))
    ] + [{"variant": "a", "phase": "fixed-rate", "repetition": 0, "corrected_p99_us": 5000}]
    (row,) = derive.summarise_variants(phases)
    # The browsing mix (step, fixed-rate) is reported under mix_ names ...
    assert row["mix_max_throughput_rps"] == 2000.0
    assert (row["mix_max_throughput_rps_min"], row["mix_max_throughput_rps_max"]) == (1000, 3000)
    assert row["mix_p99_us"] == 5000
    # ... and is not the headline: that comes from the GET-only phases, absent here.
    assert row["max_throughput_rps"] is None and row["p99_us"] is None
    assert row["errors"] == 1
    assert row["repetitions"] == 3


def _credential_phases(variant: str, cpu: list[float], redis: float | None = None) -> list[dict]:
    """Capacity in the closed loop (its CPU a decoy: it is not at the matched load), CPU
    per request and latency in the open model at the matched rate."""
    return (
        [
            {
                "variant": variant,
                "phase": "me-closed",
                "repetition": repetition,
                "throughput_rps": 1000.0 * (repetition + 1),
                "server_cpu_us_per_request": 1.0,
                "requests_ok": 100,
                "requests_failed": 0,
            }
            for repetition in range(len(cpu))
        ]
        + [
            {
                "variant": variant,
                "phase": "me-rate",
                "repetition": repetition,
                "offered_rps": 500.0,
                "server_cpu_us_per_request": value,
                "redis_cpu_us_per_request": redis,
                "corrected_p99_us": 700,
                "requests_ok": 100,
                "requests_failed": 0,
            }
            for repetition, value in enumerate(cpu)
        ]
        + [
            {
                "variant": variant,
                "phase": "step",
                "repetition": 0,
                "server_cpu_us_per_request": 9e3,
            },
        ]
    )


def test_summary_headline_is_the_credential_alone_and_its_cost_above_the_floor() -> None:
    phases = _credential_phases("baseline", [50.0, 60.0, 55.0]) + _credential_phases(
        "token", [150.0, 140.0, 145.0]
    )
    baseline, token = derive.summarise_variants(phases)
    # CPU per request at the matched load, capacity from the closed loop.
    assert token["server_cpu_us_per_request"] == 145.0
    assert (token["server_cpu_us_per_request_min"], token["server_cpu_us_per_request_max"]) == (
        140.0,
        150.0,
    )
    assert token["max_throughput_rps"] == 2000.0
    assert token["offered_rps"] == 500.0
    assert token["p99_us"] == 700
    assert token["mix_server_cpu_us_per_request"] == 9e3  # the mix is kept beside it
    assert token["credential_cpu_us"] == 145.0 - 55.0
    assert baseline["credential_cpu_us"] == 0.0


def test_the_check_cost_includes_the_store() -> None:
    phases = _credential_phases("baseline", [50.0, 50.0]) + _credential_phases(
        "session", [100.0, 100.0], redis=20.0
    )
    _, session = derive.summarise_variants(phases)
    assert session["credential_cpu_us"] == 100.0 + 20.0 - 50.0


def test_a_generator_limited_capacity_is_a_lower_bound() -> None:
    phases = _credential_phases("baseline", [50.0])
    phases[0]["generator_saturated"] = True
    (baseline,) = derive.summarise_variants(phases)
    assert baseline["capacity_at_least"] is True


def test_percentiles_need_ten_samples_beyond_them() -> None:
    assert derive.carried(0.99, 1000) and not derive.carried(0.99, 999)
    assert derive.carried(0.999, 10_000) and not derive.carried(0.999, 9_999)
    assert derive.carried(0.5, 20) and not derive.carried(0.5, 19)


def test_phase_figures_count_cpu_and_requests_in_the_steady_window_only() -> None:
    # Test started at 100.2 s for a 6 s run with users spawned in 1 s: steady from 102
    # to 106. The ramp second (101) and the stop (106) carry odd counts that must not
    # enter the figures.
    per_second = [[101, 50, 0], [102, 100, 0], [103, 100, 0], [104, 100, 0], [105, 100, 0],
                  [106, 30, 0]]  # fmt: skip
    cpu = {101: 0.0, 102: 0.5, 103: 0.51, 104: 0.52, 105: 0.53, 106: 0.54, 107: 0.9}
    ticks = [Tick(second, value) for second, value in cpu.items()]
    hdr = {
        "per_second": per_second,
        "service": {},
        "corrected": {},
        "generator": {"test_started": 100.2, "test_stopped": 106.3, "wall_seconds": 6.1},
    }
    row = {"variant": "v", "phase": "me-rate", "scenario": "me_only", "planned_s": 6,
           "server_cpu_s": 0.9}  # fmt: skip
    figures = derive.phase_figures(row, hdr, ticks)
    assert figures["cpu_window"] == "steady"
    assert figures["window_s"] == 4 and figures["window_requests"] == 400
    assert figures["throughput_rps"] == 100.0
    # 0.04 CPU seconds over 400 requests, not the whole phase's 0.9 over 480.
    assert figures["server_cpu_us_per_request"] == pytest.approx(100.0)
    assert figures["requests_ok"] == 480


def _pair_rows(
    variant: str, server: str, cpu: list[float], redis: float | None = None, shared: bool = False
) -> list[dict]:
    """The rows of the me-pair phases: the lab's server or its plain twin, per repetition."""
    return [
        {
            "variant": variant,
            "phase": "me-pair",
            "server": server,
            "repetition": repetition,
            "server_cpu_us_per_request": value,
            "redis_cpu_us_per_request": redis,
            "shared_store": shared,
        }
        for repetition, value in enumerate(cpu)
    ]


def test_overhead_pairs_each_repetition_with_its_twin() -> None:
    lab = _pair_rows("session", "authlab", [110.0, 120.0, 130.0], redis=10.0)
    twin = _pair_rows("session", "plain", [100.0, 100.0, 80.0], redis=10.0)
    # The lab's own phases (and other phases) do not enter the comparison.
    other = _credential_phases("session", [999.0, 999.0, 999.0])
    (row,) = derive.overhead_rows(lab + twin + other)
    # Server and store CPU together: (110+10)/(100+10), (130)/(110), (140)/(90).
    ratios = sorted([120 / 110, 130 / 110, 140 / 90])
    assert row["variant"] == "session"
    assert row["plain_us"] == 110.0 and row["authlab_us"] == 130.0
    assert row["ratio"] == 130.0 / 110.0  # the medians' ratio: the row reads plainly
    assert (row["ratio_min"], row["ratio_max"]) == (ratios[0], ratios[2])
    assert row["repetitions"] == 3
    assert row["shared_store"] is False


def test_overhead_leaves_out_a_repetition_without_its_twin() -> None:
    lab = _pair_rows("token", "authlab", [110.0, 120.0])
    twin = _pair_rows("token", "plain", [100.0])
    (row,) = derive.overhead_rows(lab + twin)
    assert row["repetitions"] == 1 and row["ratio"] == 1.1


def test_overhead_says_when_one_redis_served_both_sides() -> None:
    lab = _pair_rows("session", "authlab", [120.0], shared=True)
    twin = _pair_rows("session", "plain", [100.0], shared=True)
    (row,) = derive.overhead_rows(lab + twin)
    assert row["shared_store"] is True and row["ratio"] == 1.2


def test_outage_timeline_keeps_silent_seconds_and_partial_overlap() -> None:
    from authlab.bench.experiments.outage_timeline import per_second_rows

    data = {"per_second": [[100, 10, 0], [102, 0, 4], [103, 9, 0]]}
    rows = per_second_rows("v", data, origin=100.4, outage=(101.5, 102.5))
    assert [r["second"] for r in rows] == [0, 1, 2, 3]
    assert rows[1]["ok"] == 0 and rows[1]["failed"] == 0 and rows[1]["success_rate"] is None
    assert [r["store_down"] for r in rows] == [0.0, 0.5, 0.5, 0.0]


def test_a_closed_loop_where_neither_side_was_busy_is_disturbed() -> None:
    # 4.7 s with the server 3% busy and the generator 5%: held back by something else.
    assert derive.disturbed({"duration_s": 4.7, "server_cpu_s": 0.15, "generator_busy": 0.05})
    # On a shared machine: the generator at 20% of a core, the server's steady window at
    # 30% (its whole phase, start-up included, only 10%): a capacity, if a crowded one.
    shared = {"duration_s": 5.0, "server_cpu_s": 0.5, "generator_busy": 0.2,
              "window_s": 2, "window_server_cpu_s": 0.6}  # fmt: skip
    assert not derive.disturbed(shared)
    assert not derive.disturbed({"duration_s": 2.3, "server_cpu_s": 0.7, "generator_busy": 0.99})
    assert not derive.disturbed({"duration_s": 2.3, "generator_busy": 0.1})  # no server figure
