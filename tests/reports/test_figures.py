"""Each figure function on small fixed data: what it draws, and what it does with nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt_guard  # only to prove that no pyplot figure is ever made
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from reports import figures
from reports.fmt import TIMES

PNG = b"\x89PNG\r\n\x1a\n"


def draw(function: Callable[..., bool], *data: Any) -> tuple[bool, Axes, bytes]:
    figure, ax = figures.new_figure()
    drew = function(*data, ax)
    return drew, ax, figures.png(figure, dpi=40)


def bar_widths(ax: Axes) -> list[float]:
    return [round(float(p.get_width()), 3) for p in ax.patches]


def bar_heights(ax: Axes) -> list[float]:
    return [round(float(p.get_height()), 3) for p in ax.patches]


SUMMARY = pd.DataFrame(
    {
        "variant": ["baseline", "session-redis", "token-hs256"],
        "max_throughput_rps": [4000.0, 2000.0, 1700.0],
        "max_throughput_rps_min": [3900.0, 1900.0, 1650.0],
        "max_throughput_rps_max": [4100.0, 2050.0, 1750.0],
        "generator_saturated": [True, False, False],
    }
)


def test_latency_percentiles_one_line_per_variant_on_log_axes() -> None:
    curves = pd.DataFrame(
        {
            "variant": ["a", "a", "a", "b", "b", "b"],
            "percentile": [50.0, 90.0, 99.0, 50.0, 90.0, 99.0],
            "latency_us": [1000, 2000, 5000, 1500, 3000, 9000],
        }
    )
    drew, ax, image = draw(figures.latency_percentiles, curves)
    assert drew and image.startswith(PNG)
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    # x is 1/(1-p): 50% at 2, 99% at 100; y in milliseconds.
    x, y = ax.get_lines()[1].get_data()
    assert list(np.round(np.asarray(x), 6)) == [2.0, 10.0, 100.0]
    assert list(np.asarray(y)) == [1.5, 3.0, 9.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["50%", "90%", "99%"]


def test_max_throughput_bars_with_spread_and_saturation_hatched() -> None:
    drew, ax, _ = draw(figures.max_throughput, SUMMARY)
    assert drew
    assert bar_widths(ax) == [4000.0, 2000.0, 1700.0]
    assert [p.get_hatch() for p in ax.patches] == ["//", None, None]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "baseline (gen. saturated)"


def test_cpu_per_request_stacks_check_rest_and_store() -> None:
    split = pd.DataFrame(
        {
            "variant": ["session-redis", "token-hs256"],
            "server_us": [460.0, 380.0],
            "check_us": [114.0, 124.0],
            "rest_us": [346.0, 256.0],
            "store_us": [23.0, 0.0],
        }
    )
    drew, ax, _ = draw(figures.cpu_per_request, split)
    assert drew
    # Three stacked series of two bars: check, rest (starting where check ends), store.
    assert bar_widths(ax) == [114.0, 124.0, 346.0, 256.0, 23.0, 0.0]
    assert [round(p.get_x(), 3) for p in ax.patches[2:4]] == [114.0, 124.0]
    assert [round(p.get_x(), 3) for p in ax.patches[4:]] == [460.0, 380.0]


def test_cpu_per_request_without_primitives_shows_the_whole_cost_unsplit() -> None:
    split = pd.DataFrame(
        {"variant": ["x"], "server_us": [300.0], "check_us": [None], "rest_us": [None],
         "store_us": [0.0]}
    )  # fmt: skip
    _, ax, _ = draw(figures.cpu_per_request, split)
    assert bar_widths(ax) == [0.0, 300.0, 0.0]


def test_login_against_request_on_a_log_scale_with_the_ratio() -> None:
    costs = pd.DataFrame(
        {"variant": ["session-redis"], "login_us": [32_000.0], "request_us": [400.0],
         "ratio": [80.0]}
    )  # fmt: skip
    drew, ax, _ = draw(figures.login_vs_request, costs)
    assert drew
    assert ax.get_yscale() == "log"
    assert bar_heights(ax) == [32.0, 0.4]
    assert [t.get_text() for t in ax.texts] == [f"{TIMES}80"]


def test_memory_is_one_pair_of_bars_per_variant_without_stopped_processes() -> None:
    processes = pd.DataFrame(
        {
            "time": [100.0, 101.0, 102.0, 100.0],
            "role": ["server", "server", "server", "locust"],
            "name": ["server-a", "server-a", "server-a", "locust-1"],
            "rss_bytes": [2**20 * 70, 2**20 * 80, 0, 2**20 * 50],
        }
    )
    redis = pd.DataFrame({"time": [100.5, 101.5], "name": ["a", "a"], "used_memory": [2**20] * 2})
    peaks = figures.memory_peaks(processes, redis)
    # The server's peak only: not the load generator's, and the stopped sample is no peak.
    assert peaks.to_dict("records") == [{"variant": "a", "rss_mib": 80.0, "redis_mib": 1.0}]
    figure, ax = figures.new_figure()
    assert figures.memory_over_time(processes, redis, ax)
    # Two small panels, each on its own scale: RSS, then Redis; no timeline.
    left, right = figure.axes
    assert bar_widths(left) == [80.0] and bar_widths(right) == [1.0]
    assert not left.get_lines() and not right.get_lines()


def test_store_operations_summarise_each_redis_while_busy() -> None:
    redis = pd.DataFrame(
        {"time": [10.0, 11.0, 12.0, 10.0, 11.0], "name": ["s", "s", "s", "t", "t"],
         "ops_per_sec": [2000, 1800, 0, 3, 5]}
    )  # fmt: skip
    summary = figures.store_ops_summary(redis)
    # The idle sample (0) is not part of the busy median.
    assert summary.to_dict("records") == [
        {"variant": "s", "median_ops": 1900.0, "peak_ops": 2000.0},
        {"variant": "t", "median_ops": 4.0, "peak_ops": 5.0},
    ]
    drew, ax, _ = draw(figures.store_operations, redis)
    assert drew
    assert bar_widths(ax) == [1900.0, 4.0]


def test_session_memory_log_log_with_the_token_flat_line() -> None:
    scale = pd.DataFrame(
        {
            "store": [
                "redis",
                "redis",
                "token access (no deny list)",
                "token access (no deny list)",
            ],
            "sessions": [1000, 10000, 1000, 10000],
            "bytes_total": [880_000, 8_800_000, 0, 0],
        }
    )
    drew, ax, _ = draw(figures.session_memory, scale)
    assert drew
    assert ax.get_xscale() == ax.get_yscale() == "log"
    redis, flat = ax.get_lines()
    assert list(np.asarray(redis.get_ydata())) == [880_000, 8_800_000]
    y = np.asarray(flat.get_ydata())
    assert y[0] == y[-1] < 880_000  # flat, below every store
    assert flat.get_label() == "token access (no deny list): 0 B"


def test_bytes_per_request_three_series_per_variant() -> None:
    wire = pd.DataFrame(
        {
            "variant": ["s"] * 3 + ["t"] * 3,
            "request": ["GET /me", "POST /login", "POST /transfer"] * 2,
            "request_bytes": [304, 181, 396, 464, 181, 556],
            "response_bytes": [169, 465, 194, 169, 967, 194],
        }
    )
    drew, ax, _ = draw(figures.bytes_per_request, wire)
    assert drew
    assert bar_widths(ax) == [304.0, 464.0, 169.0, 169.0, 465.0, 967.0]


def test_scale_out_failure_rates_in_percent_with_the_expectation() -> None:
    scale_out = pd.DataFrame(
        {"variant": ["session-memory", "session-redis"], "instances": [2, 2],
         "failure_rate": [0.48, 0.0], "expected_if_state_is_local": [0.5, 0.0]}
    )  # fmt: skip
    drew, ax, _ = draw(figures.scale_out_failures, scale_out)
    assert drew
    assert bar_heights(ax) == [48.0, 0.0]
    assert "2 instances" in ax.get_ylabel()
    (expected,) = ax.collections
    assert [round(float(y), 3) for _, y in expected.get_offsets()] == [50.0, 0.0]


def test_outage_timeline_success_rate_and_relative_throughput() -> None:
    outage = pd.DataFrame(
        {
            "variant": ["s"] * 5,
            "second": [0, 1, 2, 3, 4],
            "ok": [10, 80, 80, 0, 80],
            "failed": [0, 0, 0, 8, 0],
            "store_down": [0.0, 0.0, 0.0, 1.0, 0.0],
        }
    )
    drew, ax, _ = draw(figures.outage_timeline, outage)
    assert drew
    success, answers = ax.get_lines()
    # Each point in the middle of the second it counts; the bars span their second.
    assert list(np.asarray(success.get_xdata())) == [0.5, 1.5, 2.5, 3.5, 4.5]
    assert [p.get_x() for p in ax.patches] == [0, 1, 2, 3, 4]
    assert list(np.asarray(success.get_ydata())) == [100.0, 100.0, 100.0, 0.0, 100.0]
    # Against the normal 80/s before the outage (the partial first second left out).
    assert list(np.asarray(answers.get_ydata())) == [12.5, 100.0, 100.0, 10.0, 100.0]
    assert bar_heights(ax) == [0.0, 0.0, 0.0, 100.0, 0.0]


EMPTY_CALLS: list[tuple[Callable[..., bool], tuple[Any, ...]]] = [
    (figures.latency_percentiles, (pd.DataFrame(),)),
    (figures.max_throughput, (pd.DataFrame(),)),
    (figures.cpu_per_request, (pd.DataFrame(),)),
    (figures.login_vs_request, (pd.DataFrame(columns=["variant", "login_us"]),)),
    (figures.memory_over_time, (pd.DataFrame(), pd.DataFrame())),
    (figures.store_operations, (pd.DataFrame(),)),
    (figures.session_memory, (pd.DataFrame(),)),
    (figures.bytes_per_request, (pd.DataFrame(),)),
    (figures.scale_out_failures, (pd.DataFrame(),)),
    (figures.outage_timeline, (pd.DataFrame(),)),
]


@pytest.mark.parametrize(
    ("function", "data"), EMPTY_CALLS, ids=lambda v: getattr(v, "__name__", "")
)
def test_nothing_to_draw_says_so(function: Callable[..., bool], data: tuple[Any, ...]) -> None:
    drew, ax, image = draw(function, *data)
    assert drew is False
    assert [t.get_text() for t in ax.texts] == ["not measured in this run"]
    assert image.startswith(PNG)


def test_no_pyplot_figure_is_left_behind() -> None:
    before = plt_guard.get_fignums()
    draw(figures.max_throughput, SUMMARY)
    assert plt_guard.get_fignums() == before == []


def test_every_variant_keeps_its_colour() -> None:
    assert figures.colour("session-redis") == figures.colour("session-redis")
    assert figures.colour("session-redis") != figures.colour("token-hs256")
    assert figures.colour("unknown-variant").startswith("#")
