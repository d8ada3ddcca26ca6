"""The session store a Settings names: one entry per backend, beside the backends."""

from __future__ import annotations

from collections.abc import Callable

from redis.asyncio import Redis

from servers.config import SessionBackend, Settings
from servers.db import Database
from servers.sessions.memory import MemorySessionStore
from servers.sessions.redis import RedisSessionStore
from servers.sessions.session_store import SessionStore
from servers.sessions.sql import SQLSessionStore


def _redis(settings: Settings, database: Database, redis: Redis | None) -> SessionStore:
    if redis is None:
        raise ValueError("the redis session store needs a Redis URL")
    return RedisSessionStore(redis, settings.redis_prefix)


STORES: dict[SessionBackend, Callable[[Settings, Database, Redis | None], SessionStore]] = {
    "memory": lambda settings, database, redis: MemorySessionStore(),
    "sql": lambda settings, database, redis: SQLSessionStore(database),
    "redis": _redis,
}


def make_session_store(settings: Settings, database: Database, redis: Redis | None) -> SessionStore:
    try:
        make = STORES[settings.store]
    except KeyError:
        raise ValueError(
            f"no session store {settings.store!r}; known: {', '.join(STORES)}"
        ) from None
    return make(settings, database, redis)
