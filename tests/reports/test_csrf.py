"""reports.csrf, the one CSRF claim engine: its judgements in its own words (the report's
claims 3 and 5 and the security lab's summary both show them as they are)."""

from __future__ import annotations

from typing import Any

from reports import csrf
from reports.verdicts import sessions_csrf, tokens_less_csrf
from tests.reports.rules.crafted import SESSION_TOKEN, crafted, row
from tests.reports.synthetic import security_document


def _in_firefox_too(document: dict[str, Any], firefox_hits: set[str]) -> dict[str, Any]:
    """The same CSRF rows again as Firefox's, with `firefox_hits` exploited there."""
    rows = document["csrf_browser"]["results"]
    for entry in rows:
        entry["browser"] = "chromium"
    rows += [
        dict(entry, browser="firefox",
             transfer_happened=entry["configuration"] in firefox_hits and entry["vector"] == "form")
        for entry in list(rows)
    ]  # fmt: skip
    return document


def test_csrf_follows_the_cookie_settings_not_session_vs_token() -> None:
    sessions, tokens = csrf.judge(security_document())
    assert sessions.verdict == "depends"
    assert "SameSite=none with no CSRF check" in sessions.condition
    assert "token in a cookie" in sessions.condition
    assert tokens.verdict == "depends"
    assert tokens.condition.startswith("how the token travels")


def test_short_lived_twins_count_for_their_configuration() -> None:
    document = security_document(exploited=set())
    document["csrf_browser"]["results"].append(
        {"configuration": "session-lax-csrf-on@ttl4", "vector": "form", "transfer_happened": True}
    )
    sessions, _ = csrf.judge(document)
    assert "session-lax-csrf-on" in sessions.evidence[0]
    assert "@ttl4" not in sessions.evidence[0]


def test_csrf_names_the_browsers_it_holds_for() -> None:
    document = _in_firefox_too(
        security_document(), {"session-none-csrf-off", "token-cookie-none-csrf-off"}
    )
    sessions, _ = csrf.judge(document)
    assert sessions.verdict == "depends"
    assert sessions.condition.endswith("(holds in chromium, firefox)")
    assert any(line.startswith("firefox: a cross-site") for line in sessions.evidence)


def test_csrf_shows_where_the_browsers_disagree() -> None:
    # Firefox also sends the Lax session cookie cross-site: every session falls there.
    document = _in_firefox_too(
        security_document(),
        {"session-none-csrf-off", "session-lax-csrf-on", "token-cookie-none-csrf-off"},
    )
    sessions, _ = csrf.judge(document)
    assert sessions.verdict == "depends"
    assert sessions.condition.startswith("the browser, which disagree here: chromium: depends")
    assert "firefox: supported, every session configuration was exploited" in sessions.condition


def test_a_vector_the_browsers_disagree_on_is_named_with_the_verdict() -> None:
    # Both browsers lose session-none-csrf-off; only Firefox sends the aged unset cookie.
    document = _in_firefox_too(
        security_document(), {"session-none-csrf-off", "token-cookie-none-csrf-off"}
    )
    for browser, hit in (("chromium", False), ("firefox", True)):
        document["csrf_browser"]["results"].append(
            {"configuration": "session-none-csrf-off", "vector": "form_aged", "aged": "emulated",
             "browser": browser, "transfer_happened": hit}
        )  # fmt: skip
    sessions, tokens = csrf.judge(document)
    assert sessions.condition.endswith(
        "; the browsers disagree on session-none-csrf-off form_aged (emulated): exploited in "
        "firefox, not in chromium"
    )
    assert "disagree" not in tokens.condition  # a session configuration's vector


def test_the_report_and_the_security_lab_summary_say_the_same() -> None:
    from authlab.security.summary import summarise

    document = security_document()
    document["hardening"] = {"skipped": "not run"}
    lab = {c["id"]: c for c in summarise(document, 1.0)["claims"]}
    run = crafted([row(v, 400) for v in SESSION_TOKEN])
    run.security = document
    for rule in (sessions_csrf, tokens_less_csrf):
        claim = rule(run)
        assert lab[claim.id]["verdict"] == claim.label
