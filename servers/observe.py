"""Opt-in request observation for the security lab: what a browser really sent.

Off unless the AUTHLAB_OBSERVE_LOG environment variable names a file. Then
every request to an observed path appends one JSON line: method, path, the
Sec-Fetch-* and Origin headers, the NAMES of the cookies that came (never
their values), whether an Authorization header came, and the status answered.
The lab reads it to tell which cookies Chromium attached to a cross-site POST
and what Sec-Fetch-Site and Origin the server saw, including where CSRF
protection is off and nothing else would record them.
"""

from __future__ import annotations

import json
import os
import time
from http.cookies import CookieError, SimpleCookie

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from servers.asgi_status import StatusRecorder

OBSERVE_ENV = "AUTHLAB_OBSERVE_LOG"
OBSERVED_PATHS = frozenset({"/transfer", "/login", "/logout", "/password", "/me"})


def observer_middleware() -> list[Middleware]:
    """The observer when AUTHLAB_OBSERVE_LOG is set, else nothing (the default)."""
    path = os.environ.get(OBSERVE_ENV)
    return [Middleware(RequestObserver, log_path=path)] if path else []


def cookie_names(header: str | None) -> list[str]:
    if not header:
        return []
    parsed: SimpleCookie = SimpleCookie()
    try:
        parsed.load(header)
    except CookieError:  # a malformed Cookie header is itself worth recording
        return ["<unparsable>"]
    return sorted(parsed.keys())


class RequestObserver:
    def __init__(self, app: ASGIApp, log_path: str) -> None:
        self.app = app
        self.log_path = log_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in OBSERVED_PATHS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        recorder = StatusRecorder(send)
        try:
            await self.app(scope, receive, recorder)
        finally:
            line = {
                "time": time.time(),
                "method": scope["method"],
                "path": scope["path"],
                "sec_fetch_site": headers.get("sec-fetch-site"),
                "sec_fetch_mode": headers.get("sec-fetch-mode"),
                "sec_fetch_dest": headers.get("sec-fetch-dest"),
                "origin": headers.get("origin"),
                "cookies": cookie_names(headers.get("cookie")),
                "authorization": "authorization" in headers,
                "status": recorder.status,
            }
            # One short append per request, opt-in and lab-only: no need to leave the loop.
            with open(self.log_path, "a", encoding="utf-8") as log:  # noqa: ASYNC230
                log.write(json.dumps(line) + "\n")
