"""Bad input on every endpoint: a clear 4xx with a JSON error, never a 500, and the server
goes on serving a legitimate user afterwards.

Each variant is started once and every case is sent to it in turn; the test collects
every wrong answer, so one run shows all of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from servers.config import Settings
from tests.conftest import PASSWORD

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
LIMIT = 64 * 1024  # Settings.max_body_bytes
DEEP = b"[" * 50_000  # deeper than json's recursion limit, smaller than the body limit


@dataclass(frozen=True)
class Case:
    label: str
    path: str
    expected: int
    body: bytes | None = None
    content_type: str | None = JSON
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"
    authenticated: bool = False  # send the victim's credential (and CSRF token)
    chunked: bool = False  # no Content-Length: the server must count as it reads


def as_json(value: object) -> bytes:
    return json.dumps(value).encode()


def field_cases(path: str, authenticated: bool, valid: dict[str, object]) -> Iterator[Case]:
    """What every JSON endpoint must refuse, whatever its fields are."""

    def case(
        label: str,
        expected: int,
        body: bytes | None,
        content_type: str | None = JSON,
        chunked: bool = False,
    ) -> Case:
        return Case(label, path, expected, body, content_type, {}, "POST", authenticated, chunked)

    yield case("malformed JSON", 400, b'{"username": ')
    yield case("empty JSON body", 400, b"")
    yield case("invalid UTF-8", 400, b'{"username": "\xff\xfe"}')
    yield case("nested 50,000 deep", 400, DEEP)
    yield case("a list as body", 422, as_json([valid]))
    yield case("a string as body", 422, as_json("text"))
    yield case("a number as body", 422, b"42")
    yield case("null as body", 422, b"null")
    yield case("text/plain", 415, as_json(valid), "text/plain")
    yield case("no content type", 415, as_json(valid), None)
    yield case("multipart/form-data", 415, as_json(valid), "multipart/form-data; boundary=x")
    yield case("XML", 415, b"<username>alice</username>", "application/xml")
    yield case("8 KiB content type", 415, as_json(valid), "x/" + "y" * 8192)
    over = as_json({**valid, "padding": "p" * LIMIT})
    yield case("body over 64 KiB", 413, over)
    yield case("body over 64 KiB, chunked", 413, over, chunked=True)
    yield case("form with too many fields", 400, "&".join(["a=1"] * 100).encode(), FORM)
    yield Case("GET instead of POST", path, 405, None, None, {}, "GET", authenticated)


def register_cases() -> Iterator[Case]:
    valid = {"username": "newcomer", "password": PASSWORD}
    yield from field_cases("/register", False, valid)
    bad_values: dict[str, list[object]] = {
        "username": [
            42,
            4.2,
            True,
            None,
            ["alice"],
            {"name": "alice"},
            "",
            "ab",
            "a" * 65,
            "with space",
            "\u0430lice",
            "emoji\U0001f600",
            "rtl\u202eecila",
            "nul\u0000x",
            "lone\ud800",
            "\ufb01le",
            "\uff46\uff55\uff4c\uff4c",
        ],
        "password": [12345678, True, None, ["x" * 8], "short", "p" * 1025, "lone\udfff-padding"],
    }
    for name, values in bad_values.items():
        for value in values:
            body = {**valid, name: value}
            yield Case(f"{name}={value!r:.40}", "/register", 422, as_json(body))
        yield Case(
            f"no {name}", "/register", 422, as_json({k: v for k, v in valid.items() if k != name})
        )
    yield Case(
        "form username emoji",
        "/register",
        422,
        b"username=%F0%9F%98%80%F0%9F%98%80&password=correct+horse",
        FORM,
    )


def login_cases() -> Iterator[Case]:
    valid = {"username": "victim", "password": PASSWORD}
    yield from field_cases("/login", False, valid)
    for name in ("username", "password"):
        for value in (42, False, None, [], {}, "", "lone\ud800"):
            yield Case(f"{name}={value!r}", "/login", 422, as_json({**valid, name: value}))
    yield Case(
        "username of 257 characters", "/login", 422, as_json({**valid, "username": "u" * 257})
    )
    yield Case(
        "password of 1025 characters", "/login", 422, as_json({**valid, "password": "p" * 1025})
    )
    # Unicode oddities that pass the type checks: no such user, the usual 401.
    for username in ("vict\u0000im", "\u202emitciv", "vi\u0301ctim", "\u0432ictim"):
        yield Case(
            f"username={username!r}", "/login", 401, as_json({**valid, "username": username})
        )


def transfer_cases() -> Iterator[Case]:
    valid = {"to": "recipient", "amount": 5}
    yield from field_cases("/transfer", True, valid)
    amounts: list[object] = [
        True,
        False,
        1.5,
        5.0,
        "5",
        "five",
        -5,
        0,
        1_000_001,
        10**30,
        None,
        [5],
        {"n": 5},
        float("nan"),
        float("inf"),
    ]
    for amount in amounts:
        body = json.dumps({**valid, "amount": amount}).encode()  # NaN/Infinity: json's extension
        yield Case(f"amount={amount!r}", "/transfer", 422, body, authenticated=True)
    digits = b'{"to": "recipient", "amount": ' + b"9" * 5000 + b"}"
    yield Case("amount of 5000 digits", "/transfer", 400, digits, authenticated=True)
    for to in (42, None, "", "no spaces please", "victim", "nobody-has-this-name"):
        # "victim" is the sender itself; the last names no account.
        body = as_json({**valid, "to": to})
        yield Case(f"to={to!r}", "/transfer", 422, body, authenticated=True)
    yield Case("no amount", "/transfer", 422, as_json({"to": "recipient"}), authenticated=True)
    for amount in ("%EF%BC%95", "-5", "5.0", "0x10", "9" * 12):  # fullwidth 5, ...
        form = f"to=recipient&amount={amount}".encode()
        yield Case(f"form amount={amount}", "/transfer", 422, form, FORM, authenticated=True)


def password_cases() -> Iterator[Case]:
    valid = {"old_password": PASSWORD, "new_password": "a brand new password"}
    yield from field_cases("/password", True, valid)
    for name in ("old_password", "new_password"):
        for value in (42, None, [], "", "lone\ud800-long-enough"):
            yield Case(
                f"{name}={value!r}",
                "/password",
                422,
                as_json({**valid, name: value}),
                authenticated=True,
            )
    yield Case(
        "new password too short",
        "/password",
        422,
        as_json({**valid, "new_password": "short"}),
        authenticated=True,
    )
    yield Case(
        "new password too long",
        "/password",
        422,
        as_json({**valid, "new_password": "n" * 1025}),
        authenticated=True,
    )


def refresh_cases() -> Iterator[Case]:
    valid = {"refresh_token": "x.y.z"}
    yield from field_cases("/refresh", False, valid)
    for value in (42, None, [], {}, "", "r" * 4097, "lone\ud800"):
        yield Case(
            f"refresh_token={value!r:.40}", "/refresh", 422, as_json({"refresh_token": value})
        )
    yield Case("no refresh_token", "/refresh", 422, as_json({}))


def logout_cases() -> Iterator[Case]:
    # A valid body would log the victim out: only broken ones here.
    for label, expected, body, content_type in (
        ("malformed JSON", 400, b"{", JSON),
        ("a list as body", 422, b"[]", JSON),
        ("nested 50,000 deep", 400, DEEP, JSON),
        ("text/plain", 415, b"{}", "text/plain"),
        ("body over 64 KiB", 413, as_json({"padding": "p" * LIMIT}), JSON),
    ):
        yield Case(label, "/logout", expected, body, content_type, authenticated=True)
    yield Case("GET instead of POST", "/logout", 405, None, None, method="GET")


def header_cases(variant: str) -> Iterator[Case]:
    """Huge and odd header values: refused like any bad credential."""
    huge = "h" * LIMIT
    for path in ("/transfer", "/password", "/logout"):
        yield Case(
            f"64 KiB Authorization on {path}",
            path,
            401,
            b"{}",
            headers={"authorization": f"Bearer {huge}"},
        )
        yield Case(
            f"64 KiB cookie on {path}",
            path,
            401,
            b"{}",
            headers={"cookie": f"sid={huge}; access_token={huge}"},
        )
    yield Case(
        "64 KiB Authorization on /me",
        "/me",
        401,
        None,
        None,
        {"authorization": f"Bearer {huge}"},
        "GET",
    )
    yield Case("64 KiB Content-Type on /register", "/register", 415, b"{}", "x/" + huge)
    yield Case("64 KiB unrelated header, bad body", "/login", 400, b"{", JSON, {"x-filler": huge})
    if variant == "session":
        # The credential is fine, the CSRF token is 64 KiB of junk.
        yield Case(
            "64 KiB CSRF token",
            "/transfer",
            403,
            as_json({"to": "recipient", "amount": 1}),
            headers={"x-csrf-token": huge},
            authenticated=True,
        )


def all_cases(variant: str) -> list[Case]:
    return [
        *register_cases(),
        *login_cases(),
        *transfer_cases(),
        *password_cases(),
        *refresh_cases(),
        *logout_cases(),
        *header_cases(variant),
    ]


def chunks(body: bytes) -> Iterator[bytes]:
    """httpx sends an iterator with Transfer-Encoding: chunked, without a Content-Length."""
    for start in range(0, len(body), 4096):
        yield body[start : start + 4096]


class Victim:
    """A logged-in user whose credential rides along on authenticated cases."""

    def __init__(self, client: httpx.Client, variant: str) -> None:
        self.client = client
        for name in ("victim", "recipient"):
            client.post("/register", json={"username": name, "password": PASSWORD})
        login = client.post("/login", json={"username": "victim", "password": PASSWORD})
        assert login.status_code == 200, login.text
        self.headers: dict[str, str] = {}
        if variant == "session":  # a cookie and the CSRF token bound to it
            self.headers = {
                "cookie": f"sid={login.cookies['sid']}",
                "x-csrf-token": login.json()["csrf_token"],
            }
        else:
            self.headers = {"authorization": f"Bearer {login.json()['access_token']}"}
        client.cookies.clear()

    def send(self, case: Case) -> httpx.Response | str:
        """The answer, or what went wrong with the connection."""
        self.client.cookies.clear()
        headers = {**(self.headers if case.authenticated else {}), **case.headers}
        if case.content_type is not None:
            headers["content-type"] = case.content_type
        content: bytes | Iterator[bytes] | None = case.body
        if case.chunked and case.body is not None:
            content = chunks(case.body)
        try:
            return self.client.request(case.method, case.path, headers=headers, content=content)
        except httpx.TransportError as error:
            return f"connection failed: {error!r}"

    def still_served(self) -> bool:
        # Twice at most: after a 500 the server closes the pooled connection, which the
        # first try may find; that alone is not a failure to serve (the 500 already is).
        for _ in range(2):
            self.client.cookies.clear()
            try:
                return self.client.get("/me", headers=self.headers).status_code == 200
            except httpx.TransportError:
                continue
        return False


def problem_with(case: Case, response: httpx.Response | str) -> str | None:
    if isinstance(response, str):
        return response
    if response.status_code != case.expected:
        return f"status {response.status_code}, wanted {case.expected}: {response.text[:200]}"
    try:
        body = response.json()
    except ValueError:
        return f"not JSON: {response.text[:200]}"
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return f"no 'error' in {body!r:.200}"
    # A 401 names its reason (or, at /login, says only invalid_credentials: no hints).
    if response.status_code != 401 and not (isinstance(body.get("detail"), str) and body["detail"]):
        return f"no 'detail' in {body!r:.200}"
    return None


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"variant": "token", "revocation": "denylist"}, id="token-header"),
        pytest.param({"variant": "session", "store": "redis"}, id="session-cookie-csrf"),
    ],
)
def test_bad_input_gets_a_clear_4xx(
    overrides: dict[str, str],
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
) -> None:
    settings = make_settings(**overrides)
    cases = all_cases(settings.variant)
    with httpx.Client(base_url=live_server(settings), timeout=30.0) as client:
        victim = Victim(client, settings.variant)
        problems = []
        for case in cases:
            problem = problem_with(case, victim.send(case))
            if problem is None and not victim.still_served():
                problem = "the victim is not served afterwards"
            if problem:
                problems.append(f"{case.method} {case.path} [{case.label}]: {problem}")
        assert client.get("/health").status_code == 200
    assert not problems, "\n".join(problems)
    assert len(cases) > 150  # every endpoint's share of the cases ran
