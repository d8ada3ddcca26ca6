"""Everything one server process holds open, built from Settings at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from redis.asyncio import Redis

from servers.auth import AuthStrategy
from servers.config import Settings
from servers.csrf_defence import CSRFGuard
from servers.db import Database, open_database
from servers.passwords import Passwords
from servers.redis_client import connect_redis
from servers.secrets import load_or_create_secrets
from servers.throttle import LoginThrottle, MemoryLoginThrottle, RedisLoginThrottle
from servers.transport.cookie import CookieTransport
from servers.transport.header import HeaderTransport
from servers.transport.protocol import Transport
from servers.users import SQLUserStore


@dataclass
class Context:
    settings: Settings
    database: Database
    users: SQLUserStore
    passwords: Passwords
    strategy: AuthStrategy
    transport: Transport
    csrf: CSRFGuard | None
    throttle: LoginThrottle
    redis: Redis | None
    jwks: dict[str, Any] | None

    @property
    def cookie_secure(self) -> bool:
        return isinstance(self.transport, CookieTransport) and self.transport.secure

    @property
    def cookie_samesite(self) -> Literal["lax", "strict", "none"] | None:
        return self.transport.same_site if isinstance(self.transport, CookieTransport) else "lax"

    async def close(self) -> None:
        await self.strategy.close()
        await self.users.close()
        if self.redis is not None:
            await self.redis.aclose()


def make_transport(settings: Settings) -> Transport:
    if settings.effective_transport == "header":
        return HeaderTransport()
    return CookieTransport(settings.cookie_name, settings.cookie_samesite, settings.cookie_secure)


def make_strategy(
    settings: Settings, database: Database, redis: Redis | None
) -> tuple[AuthStrategy, dict[str, Any] | None]:
    """The variant's strategy, and its public keys (JWKS) where it has any."""
    key_dir = Path(settings.key_dir)
    if settings.variant == "session":
        from servers.sessions.factory import make_session_store
        from servers.strategies.session import SessionStrategy

        store = make_session_store(settings, database, redis)
        return SessionStrategy(settings, store, load_or_create_secrets(key_dir / "session")), None
    if settings.variant == "token":
        from servers.strategies.token import TokenStrategy
        from servers.tokens.codec import TokenCodec
        from servers.tokens.denylist import DenyList
        from servers.tokens.keys import KeyRing
        from servers.tokens.refresh_families import RefreshFamilies

        if redis is None:
            raise ValueError("the token server keeps refresh tokens in Redis: give a Redis URL")
        keys = KeyRing.load(key_dir, settings.alg)
        codec = TokenCodec(keys, settings.issuer, settings.audience)
        denylist = (
            DenyList(redis, settings.redis_prefix) if settings.revocation == "denylist" else None
        )
        families = RefreshFamilies(redis, settings.redis_prefix)
        return TokenStrategy(settings, codec, families, denylist), keys.jwks()
    from servers.strategies.baseline import BaselineStrategy

    return BaselineStrategy(settings), None


async def open_context(settings: Settings) -> Context:
    if settings.needs_redis and not settings.redis_url:
        raise ValueError(
            f"the {settings.variant} server needs --redis-url (or let the CLI start one)"
        )
    redis = connect_redis(settings.redis_url) if settings.redis_url else None
    database = open_database(settings.database_url)
    users = SQLUserStore(database)
    await users.initialise()
    strategy, jwks = make_strategy(settings, database, redis)
    await strategy.start()
    throttle: LoginThrottle
    if redis is not None:
        throttle = RedisLoginThrottle(
            redis, settings.redis_prefix, settings.login_max_failures, settings.login_failure_window
        )
    else:
        throttle = MemoryLoginThrottle(settings.login_max_failures, settings.login_failure_window)
    transport = make_transport(settings)
    csrf = None
    if settings.effective_csrf and transport.ambient:
        csrf = CSRFGuard(load_or_create_secrets(Path(settings.key_dir) / "csrf")[-1])
    return Context(
        settings=settings,
        database=database,
        users=users,
        passwords=Passwords(settings.argon2),
        strategy=strategy,
        transport=transport,
        csrf=csrf,
        throttle=throttle,
        redis=redis,
        jwks=jwks,
    )
