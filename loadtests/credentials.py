"""Log a simulated user in and carry its credential, whatever the variant.

Cookie transport: the FastHttpUser's cookie jar carries the cookie, as a
browser would, and the CSRF token from the login answer rides in a header.
Header transport: the token (or opaque session id) rides in Authorization.
"""

from __future__ import annotations

import itertools
import json
import random
from functools import cache
from typing import Any

from loadtests.settings import SETTINGS

_account_numbers = itertools.count()


def account_name(number: int, prefix: str | None = None) -> str:
    return f"{prefix or SETTINGS.user_prefix}{number % SETTINGS.users:06d}"


def next_account(prefix: str | None = None) -> str:
    """Accounts are handed out in turn, so N users use N different accounts."""
    return account_name(next(_account_numbers), prefix)


def other_account(me: str) -> str:
    while True:
        other = account_name(random.randrange(SETTINGS.users))
        if other != me:
            return other


@cache
def _prelogged() -> list[dict[str, str]]:
    if not SETTINGS.credentials_file:
        raise RuntimeError("AUTHLAB_CREDENTIALS_FILE is not set: this scenario needs logins")
    with open(SETTINGS.credentials_file, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


_prelogged_numbers = itertools.count()


def next_prelogged_headers() -> dict[str, str]:
    """Headers of an account the harness logged in before the phase, handed out in turn."""
    credentials = _prelogged()
    return credentials[next(_prelogged_numbers) % len(credentials)]


class Credential:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.refresh_token: str | None = None

    def take(self, body: dict[str, Any]) -> None:
        """Keep what a login or refresh answer handed out."""
        if SETTINGS.transport == "header" and "access_token" in body:
            self.headers["Authorization"] = f"Bearer {body['access_token']}"
        if "csrf_token" in body:
            self.headers["X-CSRF-Token"] = body["csrf_token"]
        self.refresh_token = body.get("refresh_token", self.refresh_token)

    def clear(self) -> None:
        self.headers.clear()
        self.refresh_token = None
