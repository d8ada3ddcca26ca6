"""The first screen: sentences assembled from the verdicts, or the command that fills a gap."""

from __future__ import annotations

from pathlib import Path

from reports.headline import csrf_xss_sentence, revocation_sentence, sentences
from reports.load import load_run
from reports.verdicts import claims, sessions_csrf
from tests.reports.synthetic import security_document


def test_without_security_results_each_gap_names_its_command(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    lines = sentences(run, claims(run))
    assert 3 <= len(lines) <= 5
    assert lines[2].startswith("Revocation was not measured with this run: `make security`")
    assert lines[3].startswith("CSRF and XSS were not measured with this run: `make security`")


def test_the_bench_s_own_reason_for_a_gap_is_given(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    run.status["security"] = {
        "measured": False,
        "reason": "no Chromium here",
        "command": "make security",
        "then": "authlab report RUN --security results/<its run-id>/security.json",
    }
    text = csrf_xss_sentence(run)
    assert "`make security`, then `authlab report RUN --security" in text
    assert "(no Chromium here)" in text
    assert "no Chromium here" in sessions_csrf(run).condition


def test_revocation_and_xss_sentences_follow_the_security_rows(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    run.security = security_document()
    assert revocation_sentence(run) == (
        "At logout, deny-listed token and session credentials ended at once; a token without "
        "a deny list (token-cookie-none-csrf-off, token-header) kept working up to 3.9 s, until "
        "its exp (4 s lifetime in the lab)."
    )
    text = csrf_xss_sentence(run)
    assert "succeeded against 2 of 3 cookie configurations (session and token alike)" in text
    assert "and 0 of 2 header ones" in text
    assert "2 of 2 configurations that kept it in localStorage" in text
    # The lab's rows say where the page kept the token (storage); a token held in memory
    # is still taken in flight by the injected script (token_stolen), the sentence says so.
    for row in run.security["xss"]:
        if row["configuration"].startswith("token-header"):
            row.update(storage="memory", token_in_local_storage=False, token_stolen=True)
        else:
            row.update(storage="cookie", token_stolen=False)
    text = csrf_xss_sentence(run)
    assert "2 of 2 configurations that kept it in memory" in text
    assert "0 of 3 configurations that kept it in an HttpOnly cookie" in text
    assert "kept in localStorage: not measured" in text


def test_xss_rows_in_two_browsers_count_once_per_browser(synthetic_run: Path) -> None:
    run = load_run(synthetic_run)
    document = security_document()
    document["xss"] = [dict(r, browser=b) for r in document["xss"] for b in ("chromium", "firefox")]
    run.security = document
    text = csrf_xss_sentence(run)
    assert "4 of 4 configurations that kept it in localStorage" in text
