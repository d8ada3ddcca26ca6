"""The attack battery's harness: one server under attack, its logins, and one result per probe.

After every probe the harness checks that a legitimate credential still gets 200 from GET /me:
an attack that knocks the server over fails even when its own answer was a 4xx. The key
directory gives the probes that test the server's checks one at a time (see attacks.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from itsdangerous import Signer

from authlab.security.jwt_forge import (
    AttackerKey,
    TokenForger,
    attacker_key,
)
from servers.config import Settings
from servers.secrets import load_or_create_secrets
from servers.strategies.session import SESSION_SALT

EXPECT_REFUSED = "4xx"
EXPECT_ACCEPTED = "2xx"
UNREACHABLE_URL = "http://127.0.0.1:1/"  # port 1: nothing listens, a fetch would fail
SIZES = {"8KiB": 8 * 1024, "64KiB": 64 * 1024}


@dataclass(frozen=True)
class AttackResult:
    attack: str  # stable snake_case name
    variant: str  # e.g. "session-redis-cookie", "token-RS256-header-denylist"
    expected: str  # "4xx" (must be refused) or "2xx" (documented acceptance, controls)
    observed: int  # HTTP status seen; 0 when the connection failed
    passed: bool
    detail: str  # one line: what was sent / why


def meets(expected: str, status: int) -> bool:
    """Whether a status is what was expected; a 5xx never is, nor a dropped connection."""
    if expected == EXPECT_REFUSED:
        return 400 <= status < 500
    if expected == EXPECT_ACCEPTED:
        return 200 <= status < 300
    return str(status) == expected


def variant_name(settings: Settings) -> str:
    transport = settings.effective_transport
    if settings.variant == "session":
        return f"session-{settings.store}-{transport}"
    if settings.variant == "token":
        return f"token-{settings.alg}-{transport}-{settings.revocation}"
    return settings.variant


class BatteryError(RuntimeError):
    """The battery could not set itself up (the legitimate user cannot log in)."""


@dataclass(frozen=True)
class Login:
    credential: str  # what the transport carries
    csrf: str | None
    body: dict[str, Any]

    @property
    def refresh_token(self) -> str:
        return str(self.body.get("refresh_token", ""))


class Lab:
    """One server under attack: an HTTP client, the victim's and another user's logins."""

    def __init__(self, client: httpx.Client, settings: Settings, username: str, password: str):
        self.client = client
        self.settings = settings
        self.variant = variant_name(settings)
        self.transport = settings.effective_transport
        self.cookie_name = settings.cookie_name
        self.username = username
        self.password = password
        # A second account: whose id a tampered token claims, whose signature is swapped in,
        # and who plays the attacker planting a session id.
        self.other_username = f"{username[:56]}.other"
        self.register(username)
        self.register(self.other_username)
        self.legit = self.login()
        self.other = self.login(self.other_username)
        self._attacker_keys: dict[str, AttackerKey] = {}
        self.last_answer = ""  # the reason the server gave for the last probe's status

    # --- plumbing ------------------------------------------------------------------------

    def register(self, username: str) -> None:
        response = self.client.post(
            "/register", json={"username": username, "password": self.password}
        )
        if response.status_code not in (201, 409):
            raise BatteryError(f"register {username!r}: {response.status_code} {response.text}")

    def login_response(self, username: str, planted: str | None = None) -> httpx.Response:
        self.client.cookies.clear()
        return self.client.post(
            "/login",
            json={"username": username, "password": self.password},
            headers=self.credential_headers(planted),
        )

    def credential_of(self, response: httpx.Response) -> str:
        body: dict[str, Any] = response.json()
        if self.settings.variant == "session" and self.transport == "cookie":
            return response.cookies.get(self.cookie_name) or ""
        return str(body.get("access_token", ""))

    def login(self, username: str | None = None) -> Login:
        username = username or self.username
        response = self.login_response(username)
        if response.status_code != 200:
            raise BatteryError(f"login {username!r}: {response.status_code} {response.text}")
        body: dict[str, Any] = response.json()
        csrf = body.get("csrf_token")
        return Login(self.credential_of(response), csrf if isinstance(csrf, str) else None, body)

    def credential_headers(
        self, credential: str | None, where: str | None = None
    ) -> dict[str, str]:
        """Headers that carry a credential the way this variant reads it (or as `where` says)."""
        if credential is None:
            return {}
        if (where or self.transport) == "header":
            # HTTP forbids trailing whitespace in a header value: "Bearer " cannot be sent.
            return {"authorization": f"Bearer {credential}" if credential else ""}
        return {"cookie": f"{self.cookie_name}={credential}"}

    def status(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> int:
        """The status of one request; 0 when the connection failed (never a pass)."""
        self.client.cookies.clear()  # only what a probe sends explicitly
        self.last_answer = ""
        try:
            response = self.client.request(method, path, headers=headers, json=json_body)
        except httpx.TransportError as error:
            self.last_answer = f"connection failed: {type(error).__name__}"
            return 0
        self.last_answer = _reason_of(response)
        return response.status_code

    def me(self, credential: str | None, where: str | None = None) -> int:
        return self.status("GET", "/me", self.credential_headers(credential, where))

    def refresh(self, refresh_token: Any) -> int:
        return self.status("POST", "/refresh", json_body={"refresh_token": refresh_token})

    def logout(self, login: Login) -> int:
        headers = self.credential_headers(login.credential)
        if login.csrf:
            headers["x-csrf-token"] = login.csrf
        return self.status("POST", "/logout", headers)

    def result(
        self,
        attack: str,
        observed: int,
        detail: str,
        expected: str = EXPECT_REFUSED,
        problems: Sequence[str] = (),
    ) -> AttackResult:
        passed = meets(expected, observed) and not problems
        if self.last_answer:
            # The status argument was evaluated just before this call: this is its answer.
            detail = f"{detail} [{self.last_answer}]"
            self.last_answer = ""
        if problems:
            detail = f"{detail}; " + "; ".join(problems)
        return AttackResult(attack, self.variant, expected, observed, passed, _one_line(detail))

    def still_serving(self, result: AttackResult) -> AttackResult:
        """The attack's result, failed when a legitimate request is not served afterwards."""
        status = self.me(self.legit.credential)
        if status == 0:
            # Once, for a pooled connection the server closed after its last answer: that
            # is no refusal to serve. A server that is down fails the second try as well.
            status = self.me(self.legit.credential)
        if status == 200:
            return result
        return dataclasses.replace(
            result,
            passed=False,
            detail=f"{result.detail}; afterwards a legitimate GET /me got {status}",
        )

    def attacker_key(self, alg: str) -> AttackerKey:
        if alg not in self._attacker_keys:
            self._attacker_keys[alg] = attacker_key(alg)
        return self._attacker_keys[alg]

    # --- what the key directory gives (tests of the server's checks, see module doc) ------

    def token_forger(self) -> TokenForger:
        return TokenForger(self.settings, self.legit.credential)

    def session_signer(self) -> Signer:
        keys = load_or_create_secrets(Path(self.settings.key_dir) / "session")
        return Signer(keys, salt=SESSION_SALT)


def _reason_of(response: httpx.Response) -> str:
    """The server's own words for a refusal: "reason" (401) or "error" from the JSON body."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    return str(body.get("reason") or body.get("error") or "")


def _one_line(text: str) -> str:
    return " ".join(text.split())


Attack = Callable[[Lab], Iterator[AttackResult]]
