"""The credential in `Authorization: Bearer ...`: sent only by code that adds it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from servers.transport.protocol import MAX_CREDENTIAL_LENGTH, CredentialTooLong


class MalformedAuthorization(Exception):
    """An Authorization header that is not a single Bearer credential."""


class HeaderTransport:
    name = "header"
    ambient = False

    def read(self, request: Request) -> str | None:
        header = request.headers.get("authorization")
        if header is None:
            return None
        if len(header) > MAX_CREDENTIAL_LENGTH + 7:
            raise CredentialTooLong
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential or " " in credential:
            raise MalformedAuthorization
        return credential

    def attach(self, response: Response, credential: str, max_age: int | None) -> None:
        return None  # the client reads it from the body and sends it back itself

    def clear(self, response: Response) -> None:
        return None
