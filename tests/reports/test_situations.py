"""The first screen: one line per situation, assembled from the verdicts and the run's rows,
or the command that fills a gap."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reports import xss
from reports.fmt import TIMES
from reports.intervals import Interval
from reports.load import load_run
from reports.situations import answer, situations
from reports.verdicts import claims, sessions_csrf
from tests.reports.synthetic import security_document


def _lines(run_dir: Path, security: bool = False) -> dict[str, str]:
    run = load_run(run_dir)
    if security:
        run.security = security_document()
    return {s.key: f"{s.choice} | {s.figure}" for s in situations(run, claims(run))}


def test_one_line_per_situation_each_linking_its_claim(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    found = situations(run, claims(run))
    assert [s.key for s in found] == [
        "one-server", "balancer", "third-parties", "revocation", "outage", "browser-attacks",
    ]  # fmt: skip
    assert all(s.href.startswith("#claim-") for s in found)


def test_without_security_results_each_gap_names_its_command(synthetic_run: Path) -> None:
    lines = _lines(synthetic_run)
    assert lines["browser-attacks"].startswith("not measured: `make security`")
    assert "the revocation window was not measured: `make security`" in lines["revocation"]


def test_the_bench_s_own_reason_for_a_gap_is_given(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    run.status["security"] = {
        "measured": False,
        "reason": "no Chromium here",
        "command": "make security",
        "then": "authlab report RUN --security results/<its run-id>/security.json",
    }
    (line,) = [s for s in situations(run, claims(run)) if s.key == "browser-attacks"]
    assert "`make security`, then `authlab report RUN --security" in line.choice
    assert "(no Chromium here)" in line.choice
    assert "no Chromium here" in sessions_csrf(run).condition


def test_revocation_and_browser_attacks_follow_the_security_rows(synthetic_run: Path) -> None:
    lines = _lines(synthetic_run, security=True)
    assert (
        "a JWT without one worked 3.9 s after logout, until its exp (4 s lifetime"
        in (lines["revocation"])
    )
    attacks = lines["browser-attacks"]
    assert "2 of 3 cookie configurations and 0 of 2 header ones (in chromium)" in attacks
    assert "only SameSite=None without a CSRF check was exploited" in attacks
    # The injected script's own request is the main result, HttpOnly cookies included.
    assert "the script's own POST /transfer succeeded in 5 of 5 tries" in attacks
    assert "it read a working credential 0 of 3 in an HttpOnly cookie, 2 of 2 in localStorage" in (
        attacks
    )
    assert "no way of keeping the credential stopped an injected script" in attacks


def test_a_script_whose_requests_are_refused_is_not_said_to_act(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    run.security = security_document()
    for row in run.security["xss"]:
        row["same_origin_transfer_status"] = 403
    (line,) = [s for s in situations(run, claims(run)) if s.key == "browser-attacks"]
    assert "succeeded in 0 of 5 tries" in line.figure
    assert "an injected script's own requests were refused" in line.choice


def test_xss_tries_count_once_per_configuration_browser_and_storage(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    document = security_document()
    document["xss"] = [dict(r, browser=b) for r in document["xss"] for b in ("chromium", "firefox")]
    run.security = document
    counted = xss.counts(run)
    assert counted is not None
    assert (counted.tries, counted.browsers) == (10, ("chromium", "firefox"))
    assert counted.place("localStorage") == xss.Place("localStorage", 4, 4)
    # A token held in a page variable is taken in flight: counted where it was kept.
    for row in document["xss"]:
        if row["configuration"].startswith("token-header"):
            row.update(storage="memory", token_in_local_storage=False, token_stolen=True)
    counted = xss.counts(run)
    assert counted is not None and counted.place("a page variable") == xss.Place(
        "a page variable", 4, 4
    )


def test_the_answer_counts_the_verdicts_and_names_configurations_in_words(
    synthetic_run: Path,
) -> None:
    run = load_run(synthetic_run)
    text = answer(run, claims(run))
    assert text.startswith(f"Per request, a session in Redis costs {TIMES}1.38 the CPU of a JWT")
    assert "session-redis" not in text
    assert "(verdicts: " in text


def test_a_browser_that_did_not_start_leads_the_csrf_claims(synthetic_run: Path) -> None:
    """The lab's own word (its CSRF section skipped) comes first, then the commands."""
    run = load_run(synthetic_run)
    said = "the browser at /snap/bin/chromium did not start: snap-confine has elevated permissions"
    run.security = security_document() | {"csrf_browser": {"skipped": said}}
    claim = sessions_csrf(run)
    assert claim.verdict == "not measured"
    assert claim.label == (
        f"not measured: {said}; run `make security`, then `authlab report RUN "
        "--security results/<security run>/security.json`"
    )
    (line,) = [s for s in situations(run, claims(run)) if s.key == "browser-attacks"]
    assert f"({said})" in line.choice


def test_an_undecided_ratio_is_said_undecided_on_the_first_screen(synthetic_run: Path) -> None:
    # The claims row says "not decided" when the interval reaches the line; the answer and
    # the one-server line must not say "short of" or "not heavy" beside it.
    run = load_run(synthetic_run)
    judged = claims(run)
    heavy = next(c for c in judged if c.id == "sessions-heavy")
    figure = next(d for d in heavy.decisions if "deployable defaults" in d.figure)
    crossing = dataclasses.replace(figure, interval=Interval(1.02, 1.56, 3, 18))
    judged = [dataclasses.replace(c, decisions=[crossing]) if c is heavy else c for c in judged]
    text = answer(run, judged)
    assert "is not decided at this run's precision (interval" in text
    assert "short of" not in text
    (one_server,) = [s for s in situations(run, judged) if s.key == "one-server"]
    assert one_server.choice.startswith("not decided at this run's precision")
    assert "not heavy" not in one_server.choice
