"""The Transport protocol: read a credential from a request, hand one to a client."""

from __future__ import annotations

from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response

# Longer than any credential we issue (a signed session id is ~130 characters,
# an RS256 token ~700); anything longer is refused before it is parsed.
MAX_CREDENTIAL_LENGTH = 4096


class CredentialTooLong(Exception):
    """The request carried a credential longer than MAX_CREDENTIAL_LENGTH."""


class Transport(Protocol):
    name: str
    # True when a browser attaches the credential by itself, so CSRF applies.
    ambient: bool

    def read(self, request: Request) -> str | None:
        """The raw credential, or None when the request carries none."""

    def attach(self, response: Response, credential: str, max_age: int | None) -> None:
        """Hand the credential to the client, where this transport does that."""

    def clear(self, response: Response) -> None: ...
