"""The outside contract (shared/CONTRACT.md), end to end, for every variant.

Each test starts real uvicorn servers (`live_server`) and talks to them over
sockets with httpx. Variants cover both axes the lab separates: where the state
lives (a session store: memory, Redis, SQL; or a signed token, each algorithm)
and how the credential travels (cookie, or Authorization header), plus the
token's revocation (none, or a deny list).

`Caller` hides how a variant authenticates a request, so one walk drives all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import jwt
import pytest
from prometheus_client.parser import text_string_to_metric_families

from servers.config import Settings
from tests.conftest import PASSWORD

NEW_PASSWORD = "battery staple horse"
INITIAL_BALANCE = 1_000_000  # servers/users.py: every account starts with this


@dataclass(frozen=True)
class Variant:
    """One server configuration under test: Settings overrides and what follows from them."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        """The overrides applied to defaults, to ask the config what they mean."""
        return Settings().replace(**self.overrides)

    @property
    def kind(self) -> str:
        return self.settings.variant

    @property
    def cookie(self) -> bool:
        return self.settings.effective_transport == "cookie"

    @property
    def cookie_name(self) -> str:
        return "sid" if self.kind == "session" else "access_token"

    @property
    def revokes_access(self) -> bool:
        """Whether the server can end an access credential before it expires."""
        return self.kind == "session" or self.settings.revocation == "denylist"

    @property
    def uses_redis(self) -> bool:
        return self.settings.needs_redis


SESSION_VARIANTS = [
    Variant("session-memory", {"variant": "session", "store": "memory"}),
    Variant("session-redis", {"variant": "session", "store": "redis"}),
    Variant("session-sql", {"variant": "session", "store": "sql"}),
    # The same opaque id, carried as a Bearer token: state server-side, no cookie.
    Variant("session-header", {"variant": "session", "store": "redis", "transport": "header"}),
]
TOKEN_VARIANTS = [
    *[
        Variant(f"token-{alg}", {"variant": "token", "alg": alg})
        for alg in ("HS256", "RS256", "ES256", "EdDSA")
    ],
    Variant("token-HS256-denylist", {"variant": "token", "revocation": "denylist"}),
    # A JWT in a cookie: a stateless session, with the cookie's CSRF exposure.
    Variant("token-HS256-cookie", {"variant": "token", "transport": "cookie"}),
    Variant(
        "token-HS256-cookie-denylist",
        {"variant": "token", "transport": "cookie", "revocation": "denylist"},
    ),
]
VARIANTS = SESSION_VARIANTS + TOKEN_VARIANTS
BASELINE = Variant("baseline", {"variant": "baseline", "transport": "header", "csrf": False})
COOKIE_VARIANTS = [variant for variant in VARIANTS if variant.cookie]
HEADER_VARIANTS = [variant for variant in VARIANTS if not variant.cookie]
# For checks whose code is shared by every variant: one per kind and transport.
REPRESENTATIVE = [
    variant
    for variant in VARIANTS
    if variant.name in {"session-redis", "session-header", "token-HS256", "token-HS256-cookie"}
]


def by_name(variants: list[Variant]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("variant", variants, ids=[v.name for v in variants])


@dataclass(frozen=True)
class Credential:
    """What one login handed out, kept so a test can replay it after the fact."""

    value: str  # what the transport carries: the cookie's value or the Bearer token
    csrf: str | None
    refresh: str | None


class Caller:
    """One client of one variant, and how it proves who it is on each request.

    Cookie transports ride on httpx's cookie jar, as a browser's do; header
    transports send `Authorization: Bearer`. Where login answered with a
    csrf_token, requests echo it in X-CSRF-Token (unless a test says not to).
    """

    def __init__(self, base_url: str, variant: Variant) -> None:
        self.variant = variant
        self.http = httpx.Client(base_url=base_url)
        self.credential: Credential | None = None

    def __enter__(self) -> Caller:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def register(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return self.http.post("/register", json={"username": username, "password": password})

    def login(
        self, username: str, password: str = PASSWORD, *, form: bool = False
    ) -> httpx.Response:
        fields = {"username": username, "password": password}
        response = (
            self.http.post("/login", data=fields) if form else self.http.post("/login", json=fields)
        )
        if response.status_code == 200:
            self.credential = self._credential_from(response)
        return response

    def sign_up(self, username: str, password: str = PASSWORD) -> Credential:
        """Register and log in; the caller is then authenticated as username."""
        assert self.register(username, password).status_code == 201
        response = self.login(username, password)
        assert response.status_code == 200, response.text
        assert self.credential is not None
        return self.credential

    def refresh(self, refresh_token: str) -> httpx.Response:
        response = self.http.post("/refresh", json={"refresh_token": refresh_token})
        if response.status_code == 200:
            self.credential = self._credential_from(response)
        return response

    def _credential_from(self, response: httpx.Response) -> Credential:
        body = response.json()
        value = response.cookies[self.variant.cookie_name] if self.variant.cookie else None
        return Credential(
            value=value or body["access_token"],
            csrf=body.get("csrf_token"),
            refresh=body.get("refresh_token"),
        )

    def use(self, credential: Credential) -> Caller:
        """Present this (perhaps stale, perhaps stolen) credential from now on."""
        self.credential = credential
        if self.variant.cookie:
            self.http.cookies.clear()
            self.http.cookies.set(self.variant.cookie_name, credential.value, domain="127.0.0.1")
        return self

    def headers(self, *, csrf: bool = True) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.credential is None:
            return headers
        if not self.variant.cookie:
            headers["Authorization"] = f"Bearer {self.credential.value}"
        if csrf and self.credential.csrf:
            headers["X-CSRF-Token"] = self.credential.csrf
        return headers

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path, headers=self.headers())

    def post(
        self,
        path: str,
        json: dict[str, Any] | None = None,
        *,
        data: dict[str, Any] | None = None,
        csrf: bool = True,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {**self.headers(csrf=csrf), **(headers or {})}
        return self.http.post(path, json=json, data=data, headers=sent)

    def transfer(self, to: str, amount: int, **options: Any) -> httpx.Response:
        return self.post("/transfer", {"to": to, "amount": amount}, **options)


class Server(Protocol):
    def __call__(self, variant: Variant, **overrides: Any) -> str:
        """Start a server of the variant (overrides on top); its base URL."""


@pytest.fixture
def server(
    make_settings: Callable[..., Settings], live_server: Callable[[Settings], str]
) -> Server:
    def start(variant: Variant, **overrides: Any) -> str:
        return live_server(make_settings(**{**variant.overrides, **overrides}))

    return start


@pytest.fixture
def caller() -> Iterator[Callable[..., Caller]]:
    """caller(base_url, variant) -> a Caller closed at the end of the test."""
    opened: list[Caller] = []

    def make(base_url: str, variant: Variant) -> Caller:
        opened.append(Caller(base_url, variant))
        return opened[-1]

    yield make
    for each in opened:
        each.http.close()


def cookie_attributes(response: httpx.Response, name: str) -> dict[str, str]:
    """The attributes of the Set-Cookie for name, keys lower-cased ('' for flags)."""
    for header in response.headers.get_list("set-cookie"):
        first, *rest = (part.strip() for part in header.split(";"))
        if first.split("=", 1)[0] == name:
            attributes = {"value": first.split("=", 1)[1]}
            for part in rest:
                key, _, value = part.partition("=")
                attributes[key.lower()] = value
            return attributes
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


# --- the walk ------------------------------------------------------------------------------


def walk(base_url: str, variant: Variant) -> None:
    """register -> login -> /me -> /transfer -> /logout -> the old credential again.

    After logout the old credential is refused everywhere except by a stateless
    token server without a deny list: there nothing on the server knows the
    token, so it STILL works until its exp. That window is what the lab measures.
    (The refresh token's family is ended at logout in both token cases.)
    """
    with Caller(base_url, variant) as alice, Caller(base_url, variant) as bob:
        registered = alice.register("alice")
        assert registered.status_code == 201
        assert registered.json() == {"username": "alice"}
        bob.sign_up("bob")

        login = alice.login("alice")
        assert login.status_code == 200, login.text
        check_login_response(login, variant)
        assert alice.credential is not None
        old = alice.credential

        me = alice.get("/me")
        assert me.status_code == 200
        assert me.json() == {"username": "alice", "roles": ["user"]}

        first = alice.transfer("bob", 25)
        assert first.status_code == 200, first.text
        assert first.json() == {
            "from": "alice", "to": "bob", "amount": 25, "balance": INITIAL_BALANCE - 25,
        }  # fmt: skip
        second = alice.transfer("bob", 100)
        assert second.json()["balance"] == INITIAL_BALANCE - 125

        assert alice.post("/logout").status_code == 204
        if variant.cookie:
            assert variant.cookie_name not in alice.http.cookies  # the server cleared it

        with Caller(base_url, variant) as replay:
            after = replay.use(old).get("/me")
            if variant.revokes_access:
                assert after.status_code == 401
                # Refused for what it is, not for arriving without a credential.
                assert after.json() == {"error": "unauthenticated", "reason": revoked(variant)}
            else:
                # The stateless token outlives its logout: documented, and asserted.
                assert after.status_code == 200
                assert after.json()["username"] == "alice"
            if variant.kind == "token":
                assert old.refresh is not None
                assert replay.refresh(old.refresh).status_code == 401


def revoked(variant: Variant) -> str:
    """The reason a revoked credential is refused with."""
    return "unknown_session" if variant.kind == "session" else "revoked"


def check_login_response(login: httpx.Response, variant: Variant) -> None:
    body = login.json()
    if variant.kind == "session":
        assert body["username"] == "alice"
        if variant.cookie:
            sid = cookie_attributes(login, "sid")
            assert "httponly" in sid
            assert sid["path"] == "/"
            assert sid["samesite"] == "lax"
            assert body.keys() == {"username", "csrf_token"}
        else:
            assert body.keys() == {"username", "access_token", "token_type"}
            assert body["token_type"] == "Bearer"
            assert "sid" not in login.cookies
    else:
        assert {"access_token", "token_type", "expires_in", "refresh_token"} <= body.keys()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == variant.settings.access_ttl
        assert body["refresh_token"] != body["access_token"]
        # RFC 9068 2.2: the access token names the client; the refresh token is not one.
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        assert claims["client_id"] == variant.settings.client_id
        assert jwt.get_unverified_header(body["access_token"])["typ"] == "at+jwt"
        if variant.cookie:
            access = cookie_attributes(login, "access_token")
            assert "httponly" in access
            assert access["value"] == body["access_token"]
            assert access["path"] == "/"
        else:
            assert "access_token" not in login.cookies


@by_name(VARIANTS)
def test_walk(server: Server, variant: Variant) -> None:
    walk(server(variant), variant)


def test_baseline_walk(server: Server) -> None:
    """The no-auth floor serves the same walk; its logout revokes nothing (by design)."""
    url = server(BASELINE)
    with Caller(url, BASELINE) as alice, Caller(url, BASELINE) as bob:
        bob.sign_up("bob")
        alice.sign_up("alice")
        assert alice.get("/me").json() == {"username": "alice", "roles": ["user"]}
        transfer = alice.transfer("bob", 5)
        assert transfer.status_code == 200
        assert transfer.json()["balance"] == INITIAL_BALANCE - 5
        assert alice.post("/logout").status_code == 204
        assert alice.http.get("/health").json()["variant"] == "baseline"
        assert alice.http.post("/refresh", json={"refresh_token": "x"}).status_code == 404


@by_name([variant for variant in SESSION_VARIANTS])
def test_session_login_issues_a_fresh_id_each_time(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    url = server(variant)
    alice = caller(url, variant)
    first = alice.sign_up("alice")
    assert alice.login("alice").status_code == 200
    assert alice.credential is not None
    assert alice.credential.value != first.value
    if variant.cookie:
        # The jar sent the first id along with the second login: session
        # fixation defence ends it rather than adopting it.
        fixed = caller(url, variant).use(first).get("/me")
        assert fixed.status_code == 401
        assert fixed.json()["reason"] == "unknown_session"
    assert alice.get("/me").status_code == 200


# --- contract details ----------------------------------------------------------------------


def _comparable(headers: httpx.Headers) -> dict[str, list[str]]:
    return {
        name: headers.get_list(name) for name in headers if name not in {"date", "content-length"}
    }


@by_name(VARIANTS)
def test_unknown_user_and_wrong_password_look_the_same(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    alice = caller(server(variant), variant)
    assert alice.register("alice").status_code == 201
    wrong_password = alice.login("alice", "not the password")
    unknown_user = alice.login("mallory", PASSWORD)
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert response.json() == {"error": "invalid_credentials"}
        assert "set-cookie" not in response.headers
    assert _comparable(wrong_password.headers) == _comparable(unknown_user.headers)
    assert wrong_password.content == unknown_user.content


@by_name(REPRESENTATIVE)
def test_register_conflict_and_validation(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    client = caller(server(variant), variant)
    assert client.register("abc", "p" * 8).status_code == 201  # the shortest allowed
    assert client.register("a" * 64, "p" * 1024).status_code == 201  # the longest allowed
    assert client.register("A_b.c-9", PASSWORD).status_code == 201
    taken = client.register("abc", PASSWORD)
    assert taken.status_code == 409
    assert taken.json()["error"] == "username_taken"
    invalid: list[dict[str, Any]] = [
        {"username": "ab", "password": PASSWORD},
        {"username": "a" * 65, "password": PASSWORD},
        {"username": "with space", "password": PASSWORD},
        {"username": "naïve", "password": PASSWORD},
        {"username": "semi;colon", "password": PASSWORD},
        {"username": "short-pw", "password": "p" * 7},
        {"username": "long-pw", "password": "p" * 1025},
        {"username": "no-pw"},
        {"password": PASSWORD},
        {"username": 12345, "password": PASSWORD},
    ]
    for body in invalid:
        response = client.http.post("/register", json=body)
        assert response.status_code == 422, body
        assert response.json()["error"] == "invalid_request"
    # None of the refused names got in.
    assert client.register("short-pw", PASSWORD).status_code == 201


@by_name(REPRESENTATIVE)
def test_get_transfer_is_405(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    alice = caller(server(variant), variant)
    alice.sign_up("alice")
    response = alice.get("/transfer")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "POST" in response.headers["allow"]


@by_name(VARIANTS)
def test_me_without_a_credential_is_401(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    response = caller(server(variant), variant).get("/me")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    challenge = response.headers.get("www-authenticate")
    if variant.cookie:
        assert challenge is None  # a cookie is not a Bearer scheme to challenge for
    else:
        assert challenge is not None and challenge.startswith("Bearer")


# --- CSRF: it follows the transport, not session vs token ----------------------------------


@by_name(COOKIE_VARIANTS)
def test_cookie_transport_needs_the_csrf_token(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    url = server(variant)
    caller(url, variant).sign_up("bob")
    alice = caller(url, variant)
    credential = alice.sign_up("alice")
    assert credential.csrf, "a cookie login hands out a csrf_token"

    missing = alice.transfer("bob", 10, csrf=False)
    assert missing.status_code == 403
    assert missing.json() == {"error": "csrf_failed", "detail": "missing_csrf_token"}
    cross_site = alice.transfer("bob", 10, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    assert cross_site.json()["detail"] == "cross_site_request"
    foreign = alice.transfer("bob", 10, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403
    other = caller(url, variant)
    other_token = other.sign_up("carol").csrf
    assert other_token is not None
    stolen = alice.transfer("bob", 10, headers={"X-CSRF-Token": other_token})
    assert stolen.status_code == 403
    assert stolen.json()["detail"] == "bad_csrf_token"
    assert alice.post("/logout", csrf=False).status_code == 403

    good = alice.transfer("bob", 1, headers={"Sec-Fetch-Site": "same-origin"})
    assert good.status_code == 200
    # None of the refused transfers moved money.
    assert good.json()["balance"] == INITIAL_BALANCE - 1


@by_name([v for v in COOKIE_VARIANTS if v.name in {"session-memory", "token-HS256-cookie"}])
def test_cookie_transport_with_csrf_off_is_exposed(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    """csrf=False is a deliberately weak setting: a cross-site POST goes through."""
    url = server(variant, csrf=False)
    caller(url, variant).sign_up("bob")
    alice = caller(url, variant)
    assert alice.sign_up("alice").csrf is None
    response = alice.transfer("bob", 10, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    assert response.json()["balance"] == INITIAL_BALANCE - 10


@by_name(HEADER_VARIANTS)
def test_header_transport_needs_no_csrf_token(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    """A browser never attaches an Authorization header by itself: nothing to forge."""
    url = server(variant)
    caller(url, variant).sign_up("bob")
    alice = caller(url, variant)
    assert alice.sign_up("alice").csrf is None
    response = alice.transfer("bob", 10, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200


@by_name(REPRESENTATIVE)
def test_html_forms_work_for_register_login_and_transfer(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    url = server(variant)
    caller(url, variant).sign_up("bob")
    alice = caller(url, variant)
    form = {"username": "alice", "password": PASSWORD}
    registered = alice.http.post("/register", data=form)
    assert registered.status_code == 201
    assert registered.json() == {"username": "alice"}
    assert alice.login("alice", form=True).status_code == 200
    assert alice.credential is not None

    fields = {"to": "bob", "amount": "7"}
    if alice.credential.csrf:
        fields["csrf_token"] = alice.credential.csrf  # the form field, not the header
    response = alice.post("/transfer", data=fields, csrf=False)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "from": "alice", "to": "bob", "amount": 7, "balance": INITIAL_BALANCE - 7,
    }  # fmt: skip
    assert alice.post("/transfer", data={"to": "bob", "amount": "7.5"}).status_code == 422


# --- refresh tokens ------------------------------------------------------------------------


@by_name(TOKEN_VARIANTS)
def test_refresh_rotates_and_reuse_ends_the_family(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    url = server(variant)
    alice = caller(url, variant)
    first = alice.sign_up("alice")
    assert first.refresh is not None

    rotated = alice.refresh(first.refresh)
    assert rotated.status_code == 200, rotated.text
    second = alice.credential
    assert second is not None and second.refresh is not None
    assert second.value != first.value
    assert second.refresh != first.refresh
    assert rotated.json()["token_type"] == "Bearer"
    if variant.cookie:
        assert cookie_attributes(rotated, "access_token")["value"] == second.value
    assert alice.get("/me").json()["username"] == "alice"

    # The first refresh token again: a copy was stolen and used. The whole
    # family ends, so the newest refresh token (maybe the thief's) fails too.
    thief = caller(url, variant)
    reused = thief.refresh(first.refresh)
    assert reused.status_code == 401
    assert reused.json()["reason"] == "refresh_reused"
    assert thief.refresh(second.refresh).status_code == 401


@by_name(TOKEN_VARIANTS)
def test_access_and_refresh_tokens_are_not_interchangeable(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    url = server(variant)
    issued = caller(url, variant).sign_up("alice")
    assert issued.refresh is not None
    as_access = caller(url, variant).use(
        Credential(value=issued.refresh, csrf=issued.csrf, refresh=None)
    )
    refused = as_access.get("/me")
    assert refused.status_code == 401
    assert refused.json()["reason"] == "wrong_type"
    at_refresh = caller(url, variant).refresh(issued.value)
    assert at_refresh.status_code == 401
    assert at_refresh.json()["reason"] == "wrong_type"
    # Neither misuse harmed the real tokens.
    assert caller(url, variant).refresh(issued.refresh).status_code == 200


@by_name(SESSION_VARIANTS)
def test_sessions_have_no_refresh(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    alice = caller(server(variant), variant)
    alice.sign_up("alice")
    response = alice.post("/refresh", {"refresh_token": "anything"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == "not_supported"


# --- password change -----------------------------------------------------------------------


@by_name(VARIANTS)
def test_password_change_ends_credentials_as_far_as_the_variant_can(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    """After /password every credential of the user ends where the server keeps state.

    Sessions (any store) and tokens with a deny list: the other logins are 401.
    Tokens without one: the refresh tokens end (they live in Redis), but an
    access token already handed out STILL works until its exp.
    """
    url = server(variant)
    here = caller(url, variant)
    here.sign_up("alice")
    elsewhere = caller(url, variant)
    assert elsewhere.login("alice").status_code == 200
    other = elsewhere.credential
    assert other is not None

    wrong_old = here.post(
        "/password", {"old_password": "not it at all", "new_password": NEW_PASSWORD}
    )
    assert wrong_old.status_code == 401
    too_short = here.post("/password", {"old_password": PASSWORD, "new_password": "short"})
    assert too_short.status_code == 422
    changed = here.post("/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204

    fresh = caller(url, variant)
    assert fresh.login("alice", PASSWORD).status_code == 401
    assert fresh.login("alice", NEW_PASSWORD).status_code == 200
    assert fresh.get("/me").status_code == 200

    stale = caller(url, variant).use(other).get("/me")
    if variant.revokes_access:
        assert stale.status_code == 401
        assert stale.json()["reason"] == revoked(variant)
    else:
        assert stale.status_code == 200  # stateless: nothing to revoke until exp
    if variant.kind == "token":
        assert other.refresh is not None
        assert caller(url, variant).refresh(other.refresh).status_code == 401


# --- login throttle ------------------------------------------------------------------------


# Without Redis the throttle counts in the process's memory instead.
NO_REDIS = Variant(
    "session-memory-no-redis", {"variant": "session", "store": "memory", "redis_url": None}
)


@by_name([*VARIANTS, NO_REDIS])
def test_login_throttle_is_per_account(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    url = server(variant, login_max_failures=3)
    client = caller(url, variant)
    client.register("alice")
    client.register("bob")
    for _ in range(3):
        assert client.login("alice", "wrong password").status_code == 401
    throttled = client.login("alice", PASSWORD)  # even the right password
    assert throttled.status_code == 429
    assert throttled.json()["error"] == "too_many_attempts"
    assert int(throttled.headers["retry-after"]) >= 1
    assert client.login("bob", PASSWORD).status_code == 200


# --- operations: health, metrics, keys -----------------------------------------------------


@by_name([*VARIANTS, BASELINE])
def test_health(server: Server, variant: Variant) -> None:
    response = httpx.get(f"{server(variant)}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["variant"] == variant.kind
    if variant.kind == "session":
        assert body["store"] == variant.settings.store
    if variant.kind == "token":
        assert body["alg"] == variant.settings.alg
        assert body["revocation"] == variant.settings.revocation


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def _total(
    samples: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str
) -> float:
    return sum(
        value
        for sample_labels, value in samples.get(name, [])
        if labels.items() <= sample_labels.items()
    )


@by_name([v for v in VARIANTS if v.name in {"session-redis", "session-sql", "token-HS256"}])
def test_metrics(server: Server, caller: Callable[..., Caller], variant: Variant) -> None:
    url = server(variant)
    alice = caller(url, variant)
    alice.sign_up("alice")
    before = _samples(httpx.get(f"{url}/metrics").text)
    assert alice.get("/me").status_code == 200
    response = httpx.get(f"{url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = _samples(response.text)

    # The servers run in this process, one at a time: the count moves by exactly one.
    me_ok = {"route": "/me", "method": "GET", "status": "200"}
    assert _total(after, "authlab_requests_total", **me_ok) == (
        _total(before, "authlab_requests_total", **me_ok) + 1
    )
    count = "authlab_request_duration_seconds_count"
    assert _total(after, count, route="/me") == _total(before, count, route="/me") + 1
    assert _total(after, "authlab_auth_outcomes_total", outcome="success") > _total(
        before, "authlab_auth_outcomes_total", outcome="success"
    )
    store = "redis" if variant.uses_redis else variant.settings.store
    assert _total(after, "authlab_store_operations_total", store=store) > 0
    pid = str(os.getpid())
    assert _total(after, "authlab_process_cpu_seconds", pid=pid) > 0
    assert _total(after, "authlab_process_rss_bytes", pid=pid) > 0


@by_name([v for v in TOKEN_VARIANTS if v.name.count("-") == 1])
def test_jwks_publishes_public_keys_only(
    server: Server, caller: Callable[..., Caller], variant: Variant
) -> None:
    url = server(variant)
    token = caller(url, variant).sign_up("alice").value
    response = httpx.get(f"{url}/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    if variant.settings.alg == "HS256":
        assert keys == []  # a shared secret is never published
        return
    assert len(keys) == 1
    (jwk,) = keys
    assert jwk["alg"] == variant.settings.alg
    assert jwk["kid"] == jwt.get_unverified_header(token)["kid"]
    assert "d" not in jwk  # no private part
    # A resource server holding only the JWKS can check the token on its own.
    claims = jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=[jwk["alg"]], audience="authlab-api")
    assert claims["sub"] == "alice"


def test_sessions_publish_no_jwks(server: Server) -> None:
    response = httpx.get(f"{server(SESSION_VARIANTS[1])}/.well-known/jwks.json")
    assert response.status_code == 404
    assert response.json()["error"] == "not_supported"
