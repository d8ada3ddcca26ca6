"""The no-auth baseline: the same app with the credential check skipped.

It is the floor every variant is measured against. Login still verifies the
password (so a login storm costs the same), but the credential it hands out is
the bare username, and any request naming a user in `Authorization: Bearer`
is taken as that user. Never deploy this: it exists to be measured.
"""

from __future__ import annotations

import math
from typing import Any

from servers.auth import AuthFailed, Grant, Principal
from servers.config import Settings
from servers.errors import NotSupported
from servers.payloads import USERNAME_PATTERN
from servers.users import User


class BaselineStrategy:
    variant = "baseline"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def login(self, user: User, previous_credential: str | None) -> Grant:
        body = {"username": user.username, "access_token": user.username, "token_type": "Bearer"}
        return Grant(user.username, user.username, body, cookie_max_age=None)

    async def authenticate(self, credential: str) -> Principal:
        if not USERNAME_PATTERN.fullmatch(credential):
            raise AuthFailed("malformed")
        return Principal(credential, ("user",), credential, expires_at=math.inf)

    async def logout(self, principal: Principal) -> None:
        return None

    async def revoke_user(self, username: str) -> None:
        return None

    async def refresh(self, refresh_token: str) -> Grant:
        raise NotSupported("the baseline has no refresh tokens")

    async def ping(self) -> None:
        return None

    def describe(self) -> dict[str, Any]:
        return {"variant": self.variant, "transport": "header"}
