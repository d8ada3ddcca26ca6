"""The endpoints both variants serve, over whichever AuthStrategy the settings pick.

/register /login /me /transfer /password /refresh /logout /health /metrics
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from servers.asgi_status import StatusRecorder
from servers.auth import AuthFailed, Grant, Principal
from servers.config import Settings
from servers.context import Context, open_context
from servers.csrf_defence import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, CSRFRejected
from servers.errors import NotSupported, StoreUnavailable
from servers.observe import observer_middleware
from servers.payloads import (
    USERNAME_PATTERN,
    BadRequest,
    password_field,
    read_payload,
    text_field,
    username_field,
)
from servers.payloads import amount_field as amount_value
from servers.prometheus_metrics import (
    AUTHENTICATED,
    TALLY,
    record_auth,
    render_metrics,
    request_counter,
    request_latency,
)
from servers.transport.header import MalformedAuthorization
from servers.transport.protocol import CredentialTooLong
from servers.users import TransferRefused

logger = logging.getLogger("authlab.server")

INVALID_CREDENTIALS = {"error": "invalid_credentials"}


class AuthlabApp(Starlette):
    """The app, holding its Context as a plain attribute: `app.state.x` goes through
    State.__getattr__, reached only after a failed lookup has raised AttributeError,
    about a microsecond on every request."""

    context: Context


def _context(request: Request) -> Context:
    app: AuthlabApp = request.app
    return app.context


def _error(status: int, error: str, detail: str | None = None, **headers: str) -> JSONResponse:
    body: dict[str, str] = {"error": error}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers or None)


async def _authenticate(request: Request) -> Principal:
    context = _context(request)
    try:
        credential = context.transport.read(request)
    except CredentialTooLong as error:
        raise AuthFailed("oversized") from error
    except MalformedAuthorization as error:
        raise AuthFailed("malformed") from error
    if credential is None:
        raise AuthFailed("missing")
    principal = await context.strategy.authenticate(credential)
    TALLY.count(AUTHENTICATED)
    return principal


def _check_csrf(request: Request, principal: Principal, payload: dict[str, Any] | None) -> None:
    context = _context(request)
    if context.csrf is None:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and payload is not None:
        field = payload.get(CSRF_FIELD)
        submitted = field if isinstance(field, str) else None
    context.csrf.check(request, principal.credential_id, submitted)


def _grant_response(context: Context, grant: Grant, status: int = 200) -> JSONResponse:
    body = dict(grant.body)
    csrf_token = context.csrf.token_for(grant.credential_id) if context.csrf else None
    if csrf_token:
        body["csrf_token"] = csrf_token
    response = JSONResponse(body, status_code=status)
    context.transport.attach(response, grant.credential, grant.cookie_max_age)
    if csrf_token:
        # Readable by the page's own script (not HttpOnly): it echoes it in X-CSRF-Token.
        response.set_cookie(
            CSRF_COOKIE,
            csrf_token,
            max_age=grant.cookie_max_age,
            path="/",
            secure=context.cookie_secure,
            samesite=context.cookie_samesite,
        )
    return response


async def health(request: Request) -> Response:
    context = _context(request)
    body: dict[str, Any] = {"status": "ok", **context.strategy.describe()}
    try:
        await context.users.ping()
        await context.strategy.ping()
    except StoreUnavailable as error:
        return JSONResponse({**body, "status": "unavailable", "failing": error.store}, 503)
    return JSONResponse(body)


async def register(request: Request) -> Response:
    context = _context(request)
    payload, _ = await read_payload(request, context.settings.max_body_bytes)
    username = username_field(payload)
    password = password_field(payload)
    if not await context.users.create(username, await context.passwords.hash(password)):
        return _error(409, "username_taken", f"'{username}' is already registered")
    return JSONResponse({"username": username}, status_code=201)


async def login(request: Request) -> Response:
    context = _context(request)
    payload, _ = await read_payload(request, context.settings.max_body_bytes)
    username = text_field(payload, "username", 1, 256)
    password = text_field(payload, "password", 1, 1024)
    retry_after = await context.throttle.retry_after(username)
    if retry_after:
        record_auth("failure", "throttled")
        return _error(
            429, "too_many_attempts", "too many failed logins", **{"Retry-After": str(retry_after)}
        )
    user = await context.users.get(username) if USERNAME_PATTERN.fullmatch(username) else None
    # An unknown user costs one dummy verification, so both failures take as long.
    verified = await context.passwords.verify(user.password_hash if user else None, password)
    if user is None or not verified or user.disabled:
        await context.throttle.failed(username)
        record_auth("failure", "invalid_credentials")
        return JSONResponse(INVALID_CREDENTIALS, status_code=401)
    await context.throttle.succeeded(username)
    try:
        previous = context.transport.read(request)
    except (CredentialTooLong, MalformedAuthorization):
        previous = None
    grant = await context.strategy.login(user, previous)
    record_auth("success", "login")
    return _grant_response(context, grant)


async def me(request: Request) -> Response:
    principal = await _authenticate(request)
    return JSONResponse({"username": principal.username, "roles": list(principal.roles)})


async def transfer(request: Request) -> Response:
    context = _context(request)
    principal = await _authenticate(request)
    payload, from_form = await read_payload(request, context.settings.max_body_bytes)
    _check_csrf(request, principal, payload)
    recipient = username_field(payload, "to")
    amount = amount_value(payload, from_form)
    if recipient == principal.username:
        return _error(422, "invalid_request", "'to' must name another account")
    try:
        balance = await context.users.transfer(principal.username, recipient, amount)
    except TransferRefused as refused:
        status = 403 if refused.reason == "account_disabled" else 422
        return _error(status, refused.reason, f"the transfer was refused: {refused.reason}")
    return JSONResponse(
        {"from": principal.username, "to": recipient, "amount": amount, "balance": balance}
    )


async def change_password(request: Request) -> Response:
    context = _context(request)
    principal = await _authenticate(request)
    payload, _ = await read_payload(request, context.settings.max_body_bytes)
    _check_csrf(request, principal, payload)
    old_password = text_field(payload, "old_password", 1, 1024)
    new_password = password_field(payload, "new_password")
    user = await context.users.get(principal.username)
    if user is None or not await context.passwords.verify(user.password_hash, old_password):
        record_auth("failure", "wrong_old_password")
        return _error(401, "invalid_credentials", "the old password is wrong")
    await context.users.set_password(principal.username, await context.passwords.hash(new_password))
    # Every credential of the user ends, this one included: log in again.
    await context.strategy.revoke_user(principal.username)
    response = Response(status_code=204)
    context.transport.clear(response)
    return response


async def refresh(request: Request) -> Response:
    context = _context(request)
    payload, _ = await read_payload(request, context.settings.max_body_bytes)
    token = text_field(payload, "refresh_token", 1, 4096)
    grant = await context.strategy.refresh(token)
    record_auth("success", "refresh")
    return _grant_response(context, grant)


async def logout(request: Request) -> Response:
    context = _context(request)
    principal = await _authenticate(request)
    payload: dict[str, Any] | None = None
    if request.headers.get("content-type"):
        payload, _ = await read_payload(request, context.settings.max_body_bytes)
    _check_csrf(request, principal, payload)
    await context.strategy.logout(principal)
    record_auth("success", "logout")
    response = Response(status_code=204)
    context.transport.clear(response)
    if context.csrf:
        response.delete_cookie(CSRF_COOKIE, path="/")
    return response


async def jwks(request: Request) -> Response:
    keys = _context(request).jwks
    if keys is None:
        raise NotSupported("this variant signs nothing with public keys")
    return JSONResponse(keys)


async def metrics(request: Request) -> Response:
    body, content_type = render_metrics()
    return Response(body, media_type=content_type)


# --- errors: each a clear 4xx (or 503 when a store is down), never a traceback ----------


async def _on_auth_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthFailed)
    record_auth("failure", exc.reason)
    context = _context(request)
    headers = {}
    if not context.transport.ambient:
        headers["WWW-Authenticate"] = (
            'Bearer realm="authlab"'
            if exc.reason == "missing"
            else 'Bearer realm="authlab", error="invalid_token"'
        )
    body = {"error": "unauthenticated", "reason": exc.reason}
    return JSONResponse(body, status_code=401, headers=headers)


async def _on_store_unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StoreUnavailable)
    record_auth("failure", "store_unavailable")
    logger.warning("store unavailable: %s", exc)
    return _error(
        503, "store_unavailable", f"{exc.store} cannot be reached", **{"Retry-After": "1"}
    )


async def _on_csrf(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CSRFRejected)
    record_auth("failure", f"csrf_{exc.reason}")
    return _error(403, "csrf_failed", exc.reason)


async def _on_bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadRequest)
    return _error(exc.status, exc.error, exc.detail)


async def _on_not_supported(request: Request, exc: Exception) -> Response:
    return _error(404, "not_supported", str(exc))


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    names = {404: "not_found", 405: "method_not_allowed"}
    return _error(
        exc.status_code, names.get(exc.status_code, "http_error"), exc.detail, **(exc.headers or {})
    )


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return _error(500, "internal_error")


# --- metrics middleware ------------------------------------------------------------------

_ROUTES = frozenset(
    [
        "/health",
        "/register",
        "/login",
        "/me",
        "/transfer",
        "/password",
        "/refresh",
        "/logout",
        "/metrics",
        "/.well-known/jwks.json",
    ]
)


# Label values come from the client: anything outside these sets shares one label,
# so that a client cannot grow the metrics (or their caches) without bound.
_METHODS = frozenset(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])


class RequestMetrics:
    """Count and time every request by route (unknown paths and methods share a label).

    A pure ASGI middleware (Starlette's BaseHTTPMiddleware would copy the
    request into a task and a stream); its cost is two cached metric children.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = scope["path"] if scope["path"] in _ROUTES else "other"
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        started = time.perf_counter()
        recorder = StatusRecorder(send)
        try:
            await self.app(scope, receive, recorder)
        finally:
            TALLY.count(request_counter(route, method, str(recorder.status)))
            TALLY.observe(request_latency(route), time.perf_counter() - started)


def build_app(settings: Settings) -> AuthlabApp:
    @contextlib.asynccontextmanager
    async def lifespan(app: AuthlabApp) -> AsyncIterator[None]:
        context = await open_context(settings)
        app.context = context
        try:
            yield
        finally:
            TALLY.flush()  # a sibling worker's scrape reads this process's last counts
            await context.close()

    # Starlette tries routes in order, a regex each: the authenticated reads and
    # writes that make up the load come first (the paths are distinct, so the
    # order changes nothing else).
    routes = [
        Route("/me", me, methods=["GET"]),
        Route("/transfer", transfer, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/register", register, methods=["POST"]),
        Route("/login", login, methods=["POST"]),
        Route("/password", change_password, methods=["POST"]),
        Route("/refresh", refresh, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    return AuthlabApp(
        routes=routes,
        middleware=[Middleware(RequestMetrics), *observer_middleware()],
        exception_handlers={
            AuthFailed: _on_auth_failed,
            StoreUnavailable: _on_store_unavailable,
            CSRFRejected: _on_csrf,
            BadRequest: _on_bad_request,
            NotSupported: _on_not_supported,
            HTTPException: _on_http_exception,
            Exception: _on_unexpected,
        },
        lifespan=lifespan,
    )
