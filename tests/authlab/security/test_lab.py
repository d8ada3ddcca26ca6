"""One real lab run (real server processes, Redis, Chromium and Firefox) and what it must show.

A lab that cannot show the attack working where it should proves nothing: the
weak configurations must be exploited in each browser, and the protected ones
must not be. The run is shared by the module's tests (about a minute).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psutil
import pytest
from rich.console import Console

from authlab.security.browser import BROWSERS
from authlab.security.csrf_browser import LAX_ALLOWING_UNSAFE_WINDOW
from authlab.security.discovery import browser_missing
from authlab.security.lab import LabOptions, LabRun, run_lab
from authlab.security.printed_matrix import render
from authlab.security.schema import SECTIONS, validate
from tests.conftest import REQUIRE_SERVICES, service_missing

pytestmark = pytest.mark.e2e

CONFIGURATIONS = [
    "session-none-csrf-off",  # weak: must be exploited
    "session-none-csrf-on",
    "session-lax-csrf-off",
    "session-strict-csrf-off",
    "session-unset-csrf-off",  # weak while the cookie is under two minutes old
    "token-header",
    "token-header-denylist",
    "token-cookie-none-csrf-off",  # weak: a token in a cookie is a session cookie here
    "session-header",  # the session id as a Bearer header
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


def _browsers_missing() -> str | None:
    reasons = [reason for name in BROWSERS if (reason := browser_missing(name))]
    return "; ".join(reasons) or None


@pytest.fixture
def browser_rows(run: LabRun) -> None:
    reason = _browsers_missing()
    if reason:
        service_missing(reason)


def _csrf(run: LabRun, configuration: str, vector: str, browser: str) -> dict[str, Any]:
    rows = run.document["csrf_browser"]["results"]
    [row] = [
        r
        for r in rows
        if (r["configuration"], r["vector"], r["browser"]) == (configuration, vector, browser)
    ]
    return row


def _rows(run: LabRun, section: str, configuration: str) -> list[dict[str, Any]]:
    return [r for r in run.document[section] if r["configuration"].split("@")[0] == configuration]


def _xss(run: LabRun, configuration: str, browser: str, storage: str) -> dict[str, Any]:
    [row] = [
        r
        for r in _rows(run, "xss", configuration)
        if (r["browser"], r["storage"]) == (browser, storage)
    ]
    return row


def test_security_json_follows_its_schema(run: LabRun) -> None:
    document = json.loads(run.path.read_text())
    assert validate(document) == []
    assert document["run_id"] == run.directory.name
    assert (run.directory / "manifest.json").is_file()
    names = {c["name"] for c in document["configurations"]}
    assert set(CONFIGURATIONS) <= names
    assert {"hardening-default-argon2", "hardening-fast", f"token-header@ttl{ACCESS_TTL}"} <= names


def test_every_process_is_gone_after_the_run(run: LabRun) -> None:
    # Not "nothing answers on the port": the run gave its ports back, and on a shared machine
    # (or beside another xdist worker) another process may listen there by now. What must be
    # gone is a lab server: `authlab serve ... --port PORT` listening on a port of the run.
    ports = {configuration["port"] for configuration in run.document["configurations"]}
    assert ports
    assert _lab_servers_listening_on(ports) == []


def _lab_servers_listening_on(ports: set[int]) -> list[list[str]]:
    found = []
    for connection in psutil.net_connections("tcp"):
        if connection.status != psutil.CONN_LISTEN or connection.laddr.port not in ports:
            continue
        try:
            argv = psutil.Process(connection.pid).cmdline() if connection.pid else []
        except psutil.Error:  # ended since it was listed
            continue
        if "serve" in argv and str(connection.laddr.port) in argv:
            found.append(argv)
    return found


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
@pytest.mark.parametrize("browser", BROWSERS)
def test_the_weak_configurations_are_exploited(run: LabRun, browser: str) -> None:
    attacker = run.document["csrf_browser"]["attacker_origin"]
    for configuration, cookie in (("session-none-csrf-off", "sid"),
                                  ("token-cookie-none-csrf-off", "access_token")):  # fmt: skip
        row = _csrf(run, configuration, "form", browser)
        assert row["transfer_happened"], row
        assert row["cookie_sent"] and row["passed"]
        assert row["server_saw"]["sec_fetch_site"] == "cross-site"
        assert row["server_saw"]["origin"] == attacker
        assert cookie in row["server_saw"]["cookies"]
        assert row["server_saw"]["status"] == 200


@pytest.mark.browser
@pytest.mark.usefixtures("browser_rows")
@pytest.mark.parametrize("browser", BROWSERS)
def test_a_fresh_cookie_without_samesite_rides_a_cross_site_post(run: LabRun, browser: str) -> None:
    row = _csrf(run, "session-unset-csrf-off", "form", browser)
    assert row["cookie_age_s"] < LAX_ALLOWING_UNSAFE_WINDOW
    assert row["cookie_sent"] and row["transfer_happened"], row


@pytest.mark.browser
@pytest.mark.usefixtures("browser_rows")
def test_an_aged_cookie_without_samesite_is_where_the_browsers_disagree(run: LabRun) -> None:
    """Quick run: the aged cookie is emulated by browsers started without the grace period."""
    chromium = _csrf(run, "session-unset-csrf-off", "form_aged", "chromium")
    firefox = _csrf(run, "session-unset-csrf-off", "form_aged", "firefox")
    assert chromium["aged"] == firefox["aged"] == "emulated"
    # Chromium treats it as Lax once the grace is over; Firefox does not default to Lax.
    assert not chromium["cookie_sent"] and not chromium["transfer_happened"], chromium
    assert "SchemefulSameSiteUnspecifiedTreatedAsLax" in chromium["withheld_because"]
    assert firefox["cookie_sent"] and firefox["transfer_happened"], firefox
    assert chromium["passed"] and firefox["passed"]
    differ = run.document["csrf_browser"]["disagreements"]
    assert {(d["configuration"], d["vector"]) for d in differ} == {
        ("session-unset-csrf-off", "form_aged")
    }


@pytest.mark.browser
@pytest.mark.usefixtures("browser_rows")
@pytest.mark.parametrize("browser", BROWSERS)
def test_the_protected_configurations_are_not_exploited(run: LabRun, browser: str) -> None:
    rows = [r for r in run.document["csrf_browser"]["results"] if r["browser"] == browser]
    weak = {("session-none-csrf-off", "form"), ("token-cookie-none-csrf-off", "form"),
            ("session-unset-csrf-off", "form")}  # fmt: skip
    if browser == "firefox":
        weak.add(("session-unset-csrf-off", "form_aged"))
    for row in rows:
        if (row["configuration"], row["vector"]) not in weak:
            assert not row["transfer_happened"], row
        assert row["passed"], row
    # CSRF on: the cookie does go along, the server's check refuses it.
    protected = _csrf(run, "session-none-csrf-on", "form", browser)
    assert protected["cookie_sent"] and protected["server_saw"]["status"] == 403
    # Lax and Strict cookies are not sent on a cross-site POST at all.
    for configuration in ("session-lax-csrf-off", "session-strict-csrf-off"):
        row = _csrf(run, configuration, "form", browser)
        assert not row["cookie_sent"] and row["server_saw"]["cookies"] == []
        if browser == "chromium":  # only Chromium says why (DevTools)
            assert any(reason.startswith("SchemefulSameSite") for reason in row["withheld_because"])
    # A cross-site no-cors fetch carries no cookie of the app, SameSite=None included.
    for configuration in ("session-none-csrf-off", "token-cookie-none-csrf-off"):
        row = _csrf(run, configuration, "fetch", browser)
        assert not row["cookie_sent"] and row["server_saw"]["status"] == 401
    # A credential in a header, a JWT or the session id, is not something a browser sends.
    for configuration in ("token-header", "token-header-denylist", "session-header"):
        for vector in ("form", "fetch"):
            row = _csrf(run, configuration, vector, browser)
            assert row["server_saw"]["status"] == 401 and row["server_saw"]["cookies"] == []


@pytest.mark.browser
@pytest.mark.usefixtures("browser_rows")
@pytest.mark.parametrize("browser", BROWSERS)
def test_xss_steals_a_header_credential_wherever_the_app_keeps_it(
    run: LabRun, browser: str
) -> None:
    for configuration in ("token-header", "session-header"):
        at_rest = _xss(run, configuration, browser, "localStorage")
        assert at_rest["token_in_local_storage"] and at_rest["exfiltrated"], at_rest
        assert at_rest["stolen_access_token_me_status"] == 200  # the loot works elsewhere
        memory = _xss(run, configuration, browser, "memory")
        # Not readable at rest, yet taken from the app's own request.
        assert memory["local_storage_keys"] == [], memory
        assert not memory["token_in_local_storage"] and memory["token_captured_in_flight"]
        assert memory["stolen_access_token_me_status"] == 200
    assert _xss(run, "token-header", browser, "localStorage")["stolen_refresh_token_status"] == 200


@pytest.mark.browser
@pytest.mark.usefixtures("browser_rows")
@pytest.mark.parametrize("browser", BROWSERS)
def test_xss_reads_no_httponly_cookie(run: LabRun, browser: str) -> None:
    for configuration in ("session-none-csrf-off", "session-none-csrf-on",
                          "token-cookie-none-csrf-off"):  # fmt: skip
        row = _xss(run, configuration, browser, "cookie")
        assert not row["credential_cookie_visible"] and not row["token_stolen"], row
        assert row["local_storage_keys"] == []
        assert "sid" not in row["document_cookie_names"]
    with_csrf = _xss(run, "session-none-csrf-on", browser, "cookie")
    assert with_csrf["document_cookie_names"] == ["csrf_token"]


@pytest.mark.browser
@pytest.mark.usefixtures("browser_rows")
def test_xss_rows_cover_every_browser_and_storage(run: LabRun) -> None:
    rows = run.document["xss"]
    assert len(rows) == len(BROWSERS) * (len(CONFIGURATIONS) + 3)  # 3 header configs x 2 storages
    # Whatever the storage and browser, the injected script acts as the user from inside.
    assert all(row["same_origin_transfer_status"] == 200 for row in rows)
    assert all(row["passed"] for row in rows)
    environment = run.document["environment"]
    assert environment["chromium"].startswith("Chromium ")
    assert environment["firefox"].startswith("Firefox ")


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
    if not _browsers_missing():
        assert "EXPLOITED" in text
        assert "chromium" in text and "firefox" in text
        assert "where the browsers disagree" in text
        assert run.document["summary"]["all_passed"], run.document["summary"]


def test_claims_for_the_report(run: LabRun) -> None:
    claims = {claim["id"]: claim for claim in run.document["summary"]["claims"]}
    assert "revocation" in claims
    if not _browsers_missing():
        # One claim engine (reports.csrf) for the lab and the report: CSRF depends on the
        # cookie's settings (and, where they disagree, on the browser), not on the kind.
        assert claims["sessions-csrf"]["verdict"].startswith("depends on")
        assert claims["tokens-csrf"]["verdict"].startswith("depends on")
        assert "token-header" in claims["xss"]["finding"]
