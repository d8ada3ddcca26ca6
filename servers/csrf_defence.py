"""CSRF defence for credentials that ride in cookies.

Two checks, both needed for a state change (OWASP CSRF cheat sheet):
1. the request comes from our own origin: Sec-Fetch-Site, else Origin, must
   say so (a client that sends neither, like curl or Locust, is not a browser);
2. it carries a CSRF token: an HMAC of the credential's id (signed double
   submit), sent in the X-CSRF-Token header or the csrf_token form field.
   Binding it to the credential means no extra state on the server.
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import Request

from servers.errors import Rejected

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
CSRF_COOKIE = "csrf_token"
_ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


class CSRFRejected(Rejected):
    """A state-changing request without the proof that it comes from the app's own page."""


class CSRFGuard:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def token_for(self, credential_id: str) -> str:
        return hmac.new(self._secret, credential_id.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def check_origin(request: Request) -> None:
        fetch_site = request.headers.get("sec-fetch-site")
        if fetch_site is not None:
            if fetch_site not in _ALLOWED_FETCH_SITES:
                raise CSRFRejected("cross_site_request")
            return
        origin = request.headers.get("origin")
        if origin is not None:
            own_origin = f"{request.url.scheme}://{request.headers.get('host', '')}"
            if origin != own_origin:
                raise CSRFRejected("foreign_origin")

    def check(self, request: Request, credential_id: str, submitted: str | None) -> None:
        self.check_origin(request)
        if not submitted:
            raise CSRFRejected("missing_csrf_token")
        if not hmac.compare_digest(submitted.encode(), self.token_for(credential_id).encode()):
            raise CSRFRejected("bad_csrf_token")
