"""The credential in an HttpOnly cookie: the browser sends it by itself (hence CSRF)."""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from servers.transport.protocol import MAX_CREDENTIAL_LENGTH, CredentialTooLong


class CookieTransport:
    name = "cookie"
    ambient = True

    def __init__(
        self,
        cookie_name: str,
        same_site: Literal["lax", "strict", "none", "unset"] = "lax",
        secure: bool = False,
    ) -> None:
        self.cookie_name = cookie_name
        self.same_site: Literal["lax", "strict", "none"] | None = (
            None if same_site == "unset" else same_site
        )
        # Browsers drop a SameSite=None cookie that is not Secure; localhost
        # counts as a secure context, so this works over plain http there.
        self.secure = secure or same_site == "none"

    def read(self, request: Request) -> str | None:
        value = request.cookies.get(self.cookie_name)
        if value is not None and len(value) > MAX_CREDENTIAL_LENGTH:
            raise CredentialTooLong
        return value or None

    def attach(self, response: Response, credential: str, max_age: int | None) -> None:
        response.set_cookie(
            self.cookie_name,
            credential,
            max_age=max_age,
            path="/",
            httponly=True,
            secure=self.secure,
            samesite=self.same_site,
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(
            self.cookie_name, path="/", httponly=True, secure=self.secure, samesite=self.same_site
        )
