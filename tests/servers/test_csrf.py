"""CSRF: the origin check and the token bound to the credential, on real Starlette requests."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from servers.csrf_defence import CSRFGuard, CSRFRejected

SECRET = b"s" * 64
HOST = "127.0.0.1:8000"
OWN_ORIGIN = f"http://{HOST}"


def request(**headers: str) -> Request:
    """A POST to our host as Starlette sees it; header names use '_' for '-'."""
    raw = [(b"host", HOST.encode())]
    raw += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return Request(
        {
            "type": "http",
            "method": "POST",
            "scheme": "http",
            "path": "/transfer",
            "query_string": b"",
            "headers": raw,
            "server": ("127.0.0.1", 8000),
        }
    )


@pytest.fixture
def guard() -> CSRFGuard:
    return CSRFGuard(SECRET)


def reason(guard: CSRFGuard, req: Request, credential: str, submitted: str | None) -> str:
    with pytest.raises(CSRFRejected) as caught:
        guard.check(req, credential, submitted)
    return caught.value.reason


def test_token_is_bound_to_the_credential(guard: CSRFGuard) -> None:
    assert guard.token_for("sid-1") == guard.token_for("sid-1")
    assert guard.token_for("sid-1") != guard.token_for("sid-2")
    # And to the server's secret: another server's token is worthless here.
    assert CSRFGuard(b"t" * 64).token_for("sid-1") != guard.token_for("sid-1")


def test_right_token_from_own_origin_passes(guard: CSRFGuard) -> None:
    guard.check(request(sec_fetch_site="same-origin"), "sid-1", guard.token_for("sid-1"))
    guard.check(request(origin=OWN_ORIGIN), "sid-1", guard.token_for("sid-1"))


def test_client_without_fetch_metadata_or_origin_passes_with_token(guard: CSRFGuard) -> None:
    # curl, Locust: not a browser, so no cross-site request; the token still counts.
    guard.check(request(), "sid-1", guard.token_for("sid-1"))


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_own_fetch_site_accepted(guard: CSRFGuard, site: str) -> None:
    guard.check(request(sec_fetch_site=site), "sid-1", guard.token_for("sid-1"))


@pytest.mark.parametrize("site", ["cross-site", "same-site", "bogus", ""])
def test_other_fetch_site_rejected(guard: CSRFGuard, site: str) -> None:
    # same-site too: a sibling subdomain is not our origin. Rejected even with
    # the right token, which a cross-site page could have learnt elsewhere.
    req = request(sec_fetch_site=site)
    assert reason(guard, req, "sid-1", guard.token_for("sid-1")) == "cross_site_request"


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "https://127.0.0.1:8000", "http://127.0.0.1:8001", "null"],
)
def test_foreign_origin_rejected(guard: CSRFGuard, origin: str) -> None:
    req = request(origin=origin)
    assert reason(guard, req, "sid-1", guard.token_for("sid-1")) == "foreign_origin"


@pytest.mark.parametrize("submitted", [None, ""])
def test_missing_token(guard: CSRFGuard, submitted: str | None) -> None:
    assert reason(guard, request(sec_fetch_site="same-origin"), "sid-1", submitted) == (
        "missing_csrf_token"
    )


@pytest.mark.parametrize(
    "submitted",
    ["0" * 64, "not-hex", CSRFGuard(b"t" * 64).token_for("sid-1"), "é"],
)
def test_wrong_token(guard: CSRFGuard, submitted: str) -> None:
    req = request(sec_fetch_site="same-origin")
    assert reason(guard, req, "sid-1", submitted) == "bad_csrf_token"


def test_token_of_another_credential_rejected(guard: CSRFGuard) -> None:
    # Double submit bound to the credential: an attacker's own token does not fit the victim's.
    req = request(sec_fetch_site="same-origin")
    assert reason(guard, req, "victim-sid", guard.token_for("attacker-sid")) == "bad_csrf_token"


def test_origin_is_checked_before_the_token(guard: CSRFGuard) -> None:
    assert reason(guard, request(sec_fetch_site="cross-site"), "sid-1", None) == (
        "cross_site_request"
    )
