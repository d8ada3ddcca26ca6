"""Each figure function on small fixed data: what it draws, and what it does with nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt_guard  # only to prove that no pyplot figure is ever made
import numpy as np
import pandas as pd
import pytest

from reports import figures
from reports.fmt import TIMES
from tests.reports.drawing import PNG, bar_heights, bar_widths, draw

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


def test_cpu_per_request_splits_each_bar_at_the_baseline() -> None:
    split = pd.DataFrame(
        {
            "variant": ["baseline", "session-redis", "token-hs256"],
            "total_us": [60.0, 190.0, 130.0],
            "floor_us": [60.0, 60.0, 60.0],
            "check_us": [0.0, 130.0, 70.0],
            "store_us": [0.0, 10.0, 0.0],
        }
    )
    drew, ax, _ = draw(figures.cpu_per_request, split)
    assert drew
    # The baseline's part, the check in the server, the check in Redis: three series of
    # three bars, each starting where the one before ends.
    assert bar_widths(ax) == [60.0, 60.0, 60.0, 0.0, 120.0, 70.0, 0.0, 10.0, 0.0]
    assert [round(p.get_x(), 3) for p in ax.patches[6:]] == [60.0, 180.0, 130.0]
    # No part is longer than its bar: each bar ends at the variant's measured total.
    ends = [max(p.get_x() + p.get_width() for p in ax.patches[i::3]) for i in range(3)]
    assert [round(e, 3) for e in ends] == [60.0, 190.0, 130.0]
    assert [t.get_text() for t in ax.texts] == [" +130 µs", " +70 µs"]


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


EMPTY_CALLS: list[tuple[Callable[..., bool], tuple[Any, ...]]] = [
    (figures.latency_percentiles, (pd.DataFrame(),)),
    (figures.max_throughput, (pd.DataFrame(),)),
    (figures.cpu_per_request, (pd.DataFrame(),)),
    (figures.login_vs_request, (pd.DataFrame(columns=["variant", "login_us"]),)),
    (figures.bytes_per_request, (pd.DataFrame(),)),
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
