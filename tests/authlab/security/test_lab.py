"""One real lab run (real server processes, Redis, Chromium) and what it must show.

A lab that cannot show the attack working where it should proves nothing: the
weak configurations must be exploited in the browser, and the protected ones
must not be. The run is shared by the module's tests (about half a minute).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rich.console import Console

from authlab.security.browser import browser_missing
from authlab.security.csrf_browser import LAX_ALLOWING_UNSAFE_WINDOW
from authlab.security.lab import LabOptions, LabRun, run_lab
from authlab.security.matrix import render
from authlab.security.schema import SECTIONS, validate
from tests.conftest import REQUIRE_SERVICES, service_missing

CONFIGURATIONS = [
    "session-none-csrf-off",  # weak: must be exploited
    "session-none-csrf-on",
    "session-lax-csrf-off",
    "session-strict-csrf-off",
    "session-unset-csrf-off",  # weak while the cookie is under two minutes old
    "token-header",
    "token-header-denylist",
    "token-cookie-none-csrf-off",  # weak: a token in a cookie is a session cookie here
]
ACCESS_TTL = 6  # long enough that a slow `users disable` still leaves some of it


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabRun]:
    options = LabOptions(
        out=tmp_path_factory.mktemp("results"),
        sections=SECTIONS,
        configurations=CONFIGURATIONS,
        quick=True,
        require_browser=REQUIRE_SERVICES,
        timing_tries=8,
        entropy_logins=40,
        access_ttl=ACCESS_TTL,
    )
    yield run_lab(options)


@pytest.fixture
def browser_rows(run: LabRun) -> None:
    reason = browser_missing()
    if reason:
        service_missing(reason)


def _csrf(run: LabRun, configuration: str, vector: str) -> dict[str, Any]:
    rows = run.document["csrf_browser"]["results"]
    [row] = [r for r in rows if r["configuration"] == configuration and r["vector"] == vector]
    return row


def _rows(run: LabRun, section: str, configuration: str) -> list[dict[str, Any]]:
    return [r for r in run.document[section] if r["configuration"].split("@")[0] == configuration]


def test_security_json_follows_its_schema(run: LabRun) -> None:
    document = json.loads(run.path.read_text())
    assert validate(document) == []
    assert document["run_id"] == run.directory.name
    assert (run.directory / "manifest.json").is_file()
    names = {c["name"] for c in document["configurations"]}
    assert set(CONFIGURATIONS) <= names
    assert {"hardening-default-argon2", "hardening-fast", f"token-header@ttl{ACCESS_TTL}"} <= names


def test_every_process_is_gone_after_the_run(run: LabRun) -> None:
    for configuration in run.document["configurations"]:
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{configuration['port']}/health", timeout=1)


def test_every_attack_of_the_battery_fails(run: LabRun) -> None:
    rows = run.document["attacks"]
    variants = {row["configuration"] for row in rows}
    # --quick: once per variant (the SameSite and CSRF settings do not change the battery).
    assert any(name.startswith("session-") for name in variants)
    assert {"token-header", "token-header-denylist", "token-cookie-none-csrf-off"} <= variants
    failed = [f"{r['configuration']} {r['attack']}: {r['detail']}" for r in rows if not r["passed"]]
    assert not failed
    assert run.document["summary"]["attacks"]["total"] == len(rows) > 50


@pytest.mark.browser
@pytest.mark.usefixtures("browser_rows")
def test_the_weak_configurations_are_exploited(run: LabRun) -> None:
    attacker = run.document["csrf_browser"]["attacker_origin"]
    for configuration, cookie in (("session-none-csrf-off", "sid"),
                                  ("token-cookie-none-csrf-off", "access_token")):  # fmt: skip
        row = _csrf(run, configuration, "form")
        assert row["transfer_happened"], row
        assert row["cookie_sent"] and row["passed"]
        assert row["server_saw"]["sec_fetch_site"] == "cross-site"
        assert row["server_saw"]["origin"] == attacker
        assert cookie in row["server_saw"]["cookies"]
        assert row["server_saw"]["status"] == 200


@pytest.mark.browser
@pytest.mark.usefixtures("browser_rows")
def test_a_fresh_cookie_without_samesite_rides_a_cross_site_post(run: LabRun) -> None:
    row = _csrf(run, "session-unset-csrf-off", "form")
    assert row["cookie_age_s"] < LAX_ALLOWING_UNSAFE_WINDOW
    assert row["cookie_sent"] and row["transfer_happened"], row


@pytest.mark.browser
@pytest.mark.usefixtures("browser_rows")
def test_the_protected_configurations_are_not_exploited(run: LabRun) -> None:
    rows = run.document["csrf_browser"]["results"]
    weak = {("session-none-csrf-off", "form"), ("token-cookie-none-csrf-off", "form"),
            ("session-unset-csrf-off", "form")}  # fmt: skip
    for row in rows:
        if (row["configuration"], row["vector"]) not in weak:
            assert not row["transfer_happened"], row
        assert row["passed"], row
    # CSRF on: the cookie does go along, the server's check refuses it.
    protected = _csrf(run, "session-none-csrf-on", "form")
    assert protected["cookie_sent"] and protected["server_saw"]["status"] == 403
    # Lax and Strict cookies are not sent on a cross-site POST at all.
    for configuration in ("session-lax-csrf-off", "session-strict-csrf-off"):
        row = _csrf(run, configuration, "form")
        assert not row["cookie_sent"] and row["server_saw"]["cookies"] == []
        assert any(reason.startswith("SchemefulSameSite") for reason in row["withheld_because"])
    # A token in a header is not something the browser sends by itself.
    for configuration in ("token-header", "token-header-denylist"):
        for vector in ("form", "fetch"):
            row = _csrf(run, configuration, vector)
            assert row["server_saw"]["status"] == 401 and row["server_saw"]["cookies"] == []


@pytest.mark.browser
@pytest.mark.usefixtures("browser_rows")
def test_xss_reads_the_localstorage_token_but_not_httponly_cookies(run: LabRun) -> None:
    [token] = _rows(run, "xss", "token-header")
    assert token["token_in_local_storage"] and token["exfiltrated"]
    assert token["stolen_access_token_me_status"] == 200  # the loot works elsewhere
    for configuration in ("session-none-csrf-off", "session-none-csrf-on",
                          "token-cookie-none-csrf-off"):  # fmt: skip
        [row] = _rows(run, "xss", configuration)
        assert not row["credential_cookie_visible"], row
        assert row["local_storage_keys"] == []
        assert "sid" not in row["document_cookie_names"]
    [with_csrf] = _rows(run, "xss", "session-none-csrf-on")
    assert with_csrf["document_cookie_names"] == ["csrf_token"]
    # Whatever the storage, the injected script acts as the user from inside the origin.
    assert all(row["same_origin_transfer_status"] == 200 for row in run.document["xss"])
    assert all(row["passed"] for row in run.document["xss"])


def test_revocation_windows(run: LabRun) -> None:
    for configuration in ("session-none-csrf-off", "token-header-denylist"):
        rows = _rows(run, "revocation", configuration)
        assert {row["event"] for row in rows} == {"logout", "password_change", "account_disabled"}
        for row in rows:
            assert row["event_ok"] and row["bounded_by"] == "immediate", row
            assert row["works_for_s"] == 0.0
    for configuration in ("token-header", "token-cookie-none-csrf-off"):
        for row in _rows(run, "revocation", configuration):
            # Nothing ends it but exp: still accepted after the event, refused only once exp
            # has passed, and the refresh token is refused at once.
            assert row["event_ok"] and row["bounded_by"] == "exp", row
            assert row["credential_lifetime_s"] == ACCESS_TTL
            assert row["works_for_s"] > 0
            assert row["refused_after_s"] >= row["remaining_lifetime_at_event_s"]
            assert row["refresh_token_status_after"] == 401


def test_login_hardening(run: LabRun) -> None:
    hardening = run.document["hardening"]
    timing = hardening["login_timing"]
    assert timing["responses_identical"]
    assert timing["statuses"] == {"unknown_user": {"401": 8}, "wrong_password": {"401": 8}}
    assert 0.0 <= timing["p_value"] <= 1.0  # measured and reported, not asserted (noisy)
    assert timing["argon2"].startswith("argon2id m=19456KiB t=2")
    throttle = hardening["throttle"]
    assert throttle["passed"], throttle
    assert throttle["existing_account"]["statuses"][-1] == 429
    entropy = hardening["session_id_entropy"]
    assert entropy["unique_ids"] == entropy["logins"] == 40
    assert entropy["id_bits"] == 256
    assert entropy["passed"]


def test_matrix_prints_every_configuration(run: LabRun) -> None:
    console = Console(record=True, width=220)
    render(run.document, console)
    text = console.export_text()
    for configuration in CONFIGURATIONS:
        assert configuration in text
    assert "p =" in text and "session ids:" in text
    if not browser_missing():
        assert "EXPLOITED" in text
        assert run.document["summary"]["all_passed"], run.document["summary"]


def test_claims_for_the_report(run: LabRun) -> None:
    claims = {claim["id"]: claim for claim in run.document["summary"]["claims"]}
    assert "revocation" in claims
    if not browser_missing():
        assert claims["csrf"]["verdict"].startswith("refuted")
        assert "token-header" in claims["xss"]["finding"]
