"""The derived figures the claims, the 2 x 2 and the figures share."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from authlab.bench.variants import VARIANTS
from reports.claim import NOT_MEASURED
from reports.costs import cpu_split, credential_us
from reports.load import RunData, described_variants, load_run
from reports.matrix import two_by_two
from reports.metrics import (
    Measure,
    compare,
    complete_seconds,
    credential_check_parts,
    outage_stats,
)
from tests.reports.synthetic import security_document


def test_compare_needs_both_a_margin_and_separate_spreads() -> None:
    assert compare(Measure(200, 190, 210), Measure(100, 95, 105), 0.25) == "higher"
    assert compare(Measure(100, 95, 105), Measure(200, 190, 210), 0.25) == "lower"
    assert compare(Measure(120, 119, 121), Measure(100, 99, 101), 0.25) == "similar"
    assert compare(Measure(200, 90, 300), Measure(100, 95, 105), 0.25) == "similar"


def test_a_second_in_which_nothing_completed_counts_as_down_and_empty() -> None:
    rows = pd.DataFrame(
        {
            "variant": ["d"] * 5,
            "second": [1, 2, 3, 5, 6],  # second 4: the server answered nothing at all
            "ok": [80, 80, 0, 40, 80],
            "failed": [0, 0, 8, 8, 0],
            "store_down": [0.0, 0.0, 1.0, 0.6, 0.0],
        }
    )
    full = complete_seconds(rows)
    assert list(full["second"]) == [1, 2, 3, 4, 5, 6]
    gap = full[full["second"] == 4].iloc[0]
    assert (gap["ok"], gap["failed"], gap["store_down"], gap["variant"]) == (0, 0, 1.0, "d")
    (stat,) = outage_stats(RunData(directory=Path("."), outage=rows))
    # Judged on the seconds down throughout (3 and the empty 4), not on second 5, which
    # also holds the answers that waited for the store's return.
    assert stat.seconds_down == 2
    assert stat.goodput == 0.0
    assert stat.success_rate == 0.0
    assert stat.recovered_after_s == 1
    assert stat.slowest_us is None  # no raw latency files here


def test_a_short_outage_is_judged_on_the_seconds_mostly_down() -> None:
    rows = pd.DataFrame(
        {
            "variant": ["d"] * 4,
            "second": [1, 2, 3, 4],
            "ok": [80, 80, 30, 80],
            "failed": [0, 0, 0, 0],
            "store_down": [0.0, 0.0, 0.7, 0.2],
        }
    )
    (stat,) = outage_stats(RunData(directory=Path("."), outage=rows))
    assert stat.seconds_down == 1
    assert stat.goodput == pytest.approx(30 / 80)


def test_an_outage_from_the_first_second_takes_the_normal_rate_from_after_it() -> None:
    # The smoke run's token server: the store went down in its first second, so "normal"
    # is the full seconds after it came back (the last, partial, second left out).
    rows = pd.DataFrame(
        {
            "variant": ["t"] * 7,
            "second": [2, 3, 4, 5, 6, 7, 8],
            "ok": [44, 92, 80, 72, 88, 68, 4],
            "failed": [0] * 7,
            "store_down": [0.287, 1.0, 0.713, 0.0, 0.0, 0.0, 0.0],
        }
    )
    (stat,) = outage_stats(RunData(directory=Path("."), outage=rows))
    assert stat.goodput == pytest.approx(1.0)  # 92 in the second down against a median 72-88


def test_the_runs_first_second_is_not_the_normal_rate_even_when_it_alone_precedes() -> None:
    # A quiet standard run's token server (outage.csv): its first second held the start's
    # burst, 87, and the store went down in the next; it answered 80 in every other second.
    rows = pd.DataFrame(
        {
            "variant": ["t"] * 8,
            "second": [1, 2, 3, 4, 5, 6, 7, 8],
            "ok": [87, 80, 80, 80, 80, 80, 80, 63],
            "failed": [0] * 8,
            "store_down": [0.0, 0.009, 1.0, 0.991, 0.0, 0.0, 0.0, 0.0],
        }
    )
    (stat,) = outage_stats(RunData(directory=Path("."), outage=rows))
    assert stat.goodput == pytest.approx(1.0)  # not 80 / 87 = 92%, under the 90% line


def test_without_a_second_of_the_store_up_the_outage_is_not_judged() -> None:
    from reports.verdicts import tokens_robust

    rows = pd.DataFrame(
        {"variant": ["token-hs256"] * 2, "second": [1, 2], "ok": [40, 80], "failed": [0, 0],
         "store_down": [1.0, 1.0]}
    )  # fmt: skip
    (stat,) = outage_stats(RunData(directory=Path("."), outage=rows))
    assert stat.goodput is None  # not 0%: nothing to compare with
    claim = tokens_robust(RunData(directory=Path("."), outage=rows))
    assert claim.verdict == "not measured"


def test_credential_check_is_made_of_the_variants_parts(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    assert credential_check_parts(run, "session-redis") == [
        ("signed id", 7.0),
        ("Redis GET", 100.0),
    ]
    assert credential_check_parts(run, "token-hs256") == [("JWT verify HS256", 120.0)]
    assert credential_check_parts(run, "baseline") == []
    split = cpu_split(run).set_index("variant")
    # Split at the baseline's server + store CPU per GET /me (60 µs): the check is the same
    # figure as the claims' credential_us, and the bar ends at the variant's total.
    assert split.loc["session-redis", "floor_us"] == 60.0
    assert split.loc["session-redis", "check_us"] == credential_us(run, "session-redis") == 150.0
    assert split.loc["session-redis", "store_us"] == 20.0
    assert split.loc["baseline", "check_us"] == 0.0
    assert (split["floor_us"] + split["check_us"] == split["total_us"]).all()


def test_variants_only_an_experiment_ran_are_known_by_the_manifest() -> None:
    manifest = {
        "configuration": {
            "variants": [VARIANTS["baseline"].describe()],
            "experiment_variants": [VARIANTS["session-sqlite"].describe()],
        }
    }
    run = RunData(directory=Path("."), described=described_variants(manifest))
    assert run.variant_info("session-sqlite")["store"] == "sql"
    assert run.variant_info("session-sqlite")["settings"]["store"] == "sql"
    assert run.colour("session-sqlite") == VARIANTS["session-sqlite"].describe()["colour"]


def test_two_by_two_cells_take_cost_csrf_and_revocation(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    cells = {(c.state, c.transport): c for c in two_by_two(run)}
    assert [v["name"] for v in cells[("server", "cookie")].variants] == ["session-redis"]
    assert [v["name"] for v in cells[("client", "header")].variants] == ["token-hs256"]
    assert cells[("server", "header")].variants == []
    # 190 µs server + 20 µs Redis per GET /me alone.
    assert "210 µs CPU/req" in cells[("server", "cookie")].variants[0]["cost"]
    assert all(c.csrf == NOT_MEASURED for c in cells.values())
    assert cells[("client", "header")].revocation.startswith(NOT_MEASURED)
    run.security = security_document()
    cells = {(c.state, c.transport): c for c in two_by_two(run)}
    assert cells[("server", "cookie")].csrf.startswith("exploited in 1 of 2")
    assert cells[("client", "header")].csrf.startswith("forged cross-site requests failed")
    assert cells[("client", "cookie")].csrf.startswith("exploited in 1 of 1")
    assert cells[("server", "cookie")].revocation.startswith("immediate")
    header = cells[("client", "header")].revocation
    assert "3.9 s" in header and "deny list: immediate" in header


def test_two_by_two_shows_where_the_browsers_disagree(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    document = security_document()
    rows = document["csrf_browser"]["results"]
    firefox = [
        dict(r, browser="firefox", transfer_happened=r["configuration"] == "session-lax-csrf-on"
             or r["transfer_happened"])
        for r in rows
    ]  # fmt: skip
    for r in rows:
        r["browser"] = "chromium"
    rows += firefox
    run.security = document
    cells = {(c.state, c.transport): c for c in two_by_two(run)}
    assert cells[("server", "cookie")].csrf == (
        "chromium: exploited in 1 of 2 configurations: session-none-csrf-off; "
        "firefox: exploited in 2 of 2 configurations: session-lax-csrf-on, session-none-csrf-off"
    )
    # Where they agree, one text names both.
    assert cells[("client", "header")].csrf.endswith("(in chromium, firefox)")


def test_the_outage_wait_comes_from_latency_csv_without_hdr_files() -> None:
    from reports.metrics import _outage_slowest

    latency = pd.DataFrame(
        [
            {"variant": "token-hs256", "phase": "outage", "kind": "corrected",
             "request": "GET /me", "max_us": 33_200},
            {"variant": "token-hs256", "phase": "outage", "kind": "corrected",
             "request": "POST /login", "max_us": 90_000},  # logins are not what it measures
            {"variant": "token-hs256", "phase": "step", "kind": "corrected",
             "request": "GET /me", "max_us": 70_000},
        ]
    )  # fmt: skip
    run = RunData(directory=Path("/nonexistent"), latency=latency)
    assert _outage_slowest(run, "token-hs256") == 33_200
    assert _outage_slowest(run, "session-redis") is None


def test_the_burst_after_an_outage_is_not_taken_for_the_seconds_noise() -> None:
    # A standard run's outage: session-redis answers 75-80 a second; in the second it came
    # back, 182 (the requests that waited). Counted as a normal second, that burst made the
    # noise so large that a stateless token serving 100% throughout was "not decided".
    rows = pd.DataFrame(
        {
            "variant": ["session-redis"] * 9 + ["token-hs256"] * 9,
            "second": list(range(9)) * 2,
            "ok": [16, 75, 75, 0, 55, 182, 80, 80, 57, 19, 80, 80, 80, 80, 80, 80, 80, 41],
            "failed": [0, 0, 0, 5, 3, 0, 0, 0, 0] + [0] * 9,
            "store_down": [0, 0, 0.05, 1.0, 0.95, 0, 0, 0, 0, 0, 0, 0.166, 1.0, 0.835, 0, 0, 0, 0],
        }
    )
    stats = {s.variant: s for s in outage_stats(RunData(directory=Path("."), outage=rows))}
    assert stats["session-redis"].recovered_after_s == 1
    token = stats["token-hs256"]
    assert token.goodput == pytest.approx(1.0)
    assert token.interval is not None and token.interval.low > 0.9
    assert stats["session-redis"].interval is not None
    assert stats["session-redis"].interval.high < 0.1
