"""Plain twins: each variant's GET /me with only the essential work. The lab's yardstick.

NOT FOR DEPLOYMENT. /login hands a credential to anyone who names an account
(no password, no throttle), nothing can be revoked, nothing is counted. A twin
exists to be measured beside its authlab server (the benchmark's `overhead`
experiment): the same stack (Starlette on uvicorn with httptools and uvloop),
the same JSON answer, and per GET /me only what the credential itself needs:
read the cookie or the Authorization header; for a session, unsign the id and
one dict lookup or one store read; for a token, one `jwt.decode` (plus one
MGET where the variant keeps a deny list). Whatever authlab's server costs
above its twin is the lab's own cost, which must stay small.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

import anyio.to_thread
import jwt
from itsdangerous import BadSignature, Signer
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from servers.config import Settings
from servers.db import sqlite_connection, sqlite_path
from servers.secrets import load_or_create_secrets
from servers.sessions.session_store import SessionRecord
from servers.tokens.codec import ACCESS_TYPE, TokenCodec
from servers.tokens.keys import KeyRing

_UNAUTHENTICATED = {"error": "unauthenticated"}


def _read_credential(settings: Settings, request: Request) -> str | None:
    if settings.effective_transport == "cookie":
        return request.cookies.get(settings.cookie_name)
    header = request.headers.get("authorization", "")
    return header[7:] if header.startswith("Bearer ") else None


class _SessionTwin:
    """Signed opaque id; the record {username, roles} in a dict, Redis or SQLite."""

    def __init__(self, settings: Settings, redis: Redis | None) -> None:
        self.settings = settings
        self.signer = Signer(load_or_create_secrets(Path(settings.key_dir) / "session"))
        self.memory: dict[str, dict[str, Any]] = {}
        self.redis = redis
        self.sqlite: sqlite3.Connection | None = None
        if settings.store == "sql":
            self.sqlite = sqlite_connection(sqlite_path(settings.database_url))
            self.sqlite.execute(
                "CREATE TABLE IF NOT EXISTS plain_sessions (sid TEXT PRIMARY KEY, data TEXT)"
            )

    def _key(self, sid: str) -> str:
        return f"{self.settings.redis_prefix}plain:session:{sid}"

    async def issue(self, username: str) -> str:
        sid = secrets.token_urlsafe(32)
        now = time.time()
        # The lab's own record, so that a read carries the same bytes; read back as plain JSON.
        record = SessionRecord(
            sid=sid,
            username=username,
            roles=("user",),
            created_at=now,
            idle_expires_at=now + self.settings.session_ttl,
            absolute_expires_at=now + self.settings.session_absolute_ttl,
        ).to_json()
        if self.redis is not None:
            await self.redis.set(self._key(sid), record, ex=self.settings.session_ttl)
        elif self.sqlite is not None:
            self.sqlite.execute("INSERT INTO plain_sessions VALUES (?, ?)", (sid, record))
        else:
            self.memory[sid] = json.loads(record)
        return self.signer.sign(sid).decode()

    def _select(self, sid: str) -> Any:
        assert self.sqlite is not None
        return self.sqlite.execute(
            "SELECT data FROM plain_sessions WHERE sid = ?", (sid,)
        ).fetchone()

    async def lookup(self, credential: str) -> dict[str, Any] | None:
        try:
            sid = self.signer.unsign(credential).decode()
        except BadSignature:
            return None
        if self.redis is not None:
            raw = await self.redis.get(self._key(sid))
            return json.loads(raw) if raw else None
        if self.sqlite is not None:
            row = await anyio.to_thread.run_sync(self._select, sid)
            return json.loads(row[0]) if row else None
        return self.memory.get(sid)


class _TokenTwin:
    """One jwt.decode with the algorithm, audience, issuer and claims pinned."""

    def __init__(self, settings: Settings, redis: Redis | None) -> None:
        self.settings = settings
        keys = KeyRing.load(Path(settings.key_dir), settings.alg)
        self.key = keys.current
        self.codec = TokenCodec(keys, settings.issuer, settings.audience)
        self.redis = redis if settings.revocation == "denylist" else None

    async def issue(self, username: str) -> str:
        # The lab's own codec issues it: the two servers check the same credential,
        # claims and header alike (only the check below is the twin's own).
        access = self.codec.issue(
            username,
            ACCESS_TYPE,
            self.settings.access_ttl,
            client_id=self.settings.client_id,
            roles=["user"],
            fam=secrets.token_urlsafe(16),
            gen=0,
        )
        return access.token

    async def lookup(self, credential: str) -> dict[str, Any] | None:
        try:
            claims = jwt.decode(
                credential,
                self.key.verifying_key,
                algorithms=[self.key.alg],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                options={"require": ["exp", "iat", "sub", "jti", "iss", "aud"]},
            )
        except jwt.PyJWTError:
            return None
        if self.redis is not None:
            prefix = f"{self.settings.redis_prefix}plain:"
            denied, _ = await self.redis.mget(
                f"{prefix}deny:{claims['jti']}", f"{prefix}generation:{claims['sub']}"
            )
            if denied is not None:
                return None
        return {"username": claims["sub"], "roles": claims["roles"]}


class _BaselineTwin:
    async def issue(self, username: str) -> str:
        return username

    async def lookup(self, credential: str) -> dict[str, Any] | None:
        return {"username": credential, "roles": ["user"]}


def build_plain_app(settings: Settings) -> Starlette:
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    twin: _SessionTwin | _TokenTwin | _BaselineTwin
    if settings.variant == "session":
        twin = _SessionTwin(settings, redis if settings.store == "redis" else None)
    elif settings.variant == "token":
        twin = _TokenTwin(settings, redis)
    else:
        twin = _BaselineTwin()

    async def login(request: Request) -> Response:
        try:
            username = str((await request.json())["username"])
        except (ValueError, TypeError, KeyError):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        credential = await twin.issue(username)
        response = JSONResponse({"username": username, "access_token": credential})
        if settings.effective_transport == "cookie":
            name = settings.cookie_name
            response.set_cookie(name, credential, httponly=True, samesite="lax")
        return response

    async def me(request: Request) -> Response:
        credential = _read_credential(settings, request)
        record = await twin.lookup(credential) if credential else None
        if record is None:
            return JSONResponse(_UNAUTHENTICATED, status_code=401)
        return JSONResponse({"username": record["username"], "roles": record["roles"]})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "plain_twin": settings.variant})

    return Starlette(
        routes=[
            Route("/login", login, methods=["POST"]),
            Route("/me", me, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ]
    )


def app_from_environment() -> Starlette:
    return build_plain_app(Settings.from_environment())
