"""User administration from the command line, against the same stores the servers use."""

from __future__ import annotations

from dataclasses import dataclass, field

from servers.config import Settings
from servers.errors import StoreUnavailable
from servers.passwords import Passwords
from servers.users import SQLUserStore, open_user_store


@dataclass
class RevocationReport:
    reached: list[str] = field(default_factory=list)
    not_reached: list[str] = field(default_factory=list)


async def add_user(settings: Settings, username: str, password: str) -> bool:
    users = open_user_store(settings.database_url)
    try:
        await users.initialise()
        return await users.create(username, await Passwords(settings.argon2).hash(password))
    finally:
        await users.close()


async def seed_users(settings: Settings, count: int, prefix: str, password: str) -> int:
    """Create prefix000000.. with one shared password; returns how many were new.

    One argon2 hash serves every seeded account (same password, same salt): a
    load test needs many accounts, not many hashes, and 100k hashes would take
    hours. Logins still pay a full argon2 verify each.
    """
    users = open_user_store(settings.database_url)
    try:
        await users.initialise()
        password_hash = Passwords(settings.argon2).hash_sync(password)
        return await users.create_many(
            (f"{prefix}{index:06d}" for index in range(count)), password_hash
        )
    finally:
        await users.close()


async def set_disabled(
    settings: Settings, username: str, disabled: bool
) -> RevocationReport | None:
    """Mark the account; when disabling, end its credentials in every store we can reach."""
    users: SQLUserStore = open_user_store(settings.database_url)
    try:
        await users.initialise()
        if not await users.set_disabled(username, disabled):
            return None
        report = RevocationReport()
        if disabled:
            from servers.sessions.sql import SQLSessionStore

            sql_sessions = SQLSessionStore(users.database)
            await sql_sessions.initialise()
            await sql_sessions.delete_user(username)
            report.reached.append("sql sessions")
            if settings.redis_url:
                try:
                    await _revoke_in_redis(settings, username)
                    report.reached.append("redis sessions, refresh tokens, token deny list")
                except StoreUnavailable as error:
                    # The account is disabled all the same: say what was not reached.
                    report.not_reached.append(f"redis ({error})")
            else:
                report.not_reached.append("redis (no --redis-url given)")
            report.not_reached.append("in-process memory sessions (live until their idle timeout)")
        return report
    finally:
        await users.close()


async def _revoke_in_redis(settings: Settings, username: str) -> None:
    from servers.redis_client import connect_redis
    from servers.sessions.redis import RedisSessionStore
    from servers.tokens.denylist import DenyList
    from servers.tokens.refresh_families import RefreshFamilies

    assert settings.redis_url
    client = connect_redis(settings.redis_url)
    try:
        await RedisSessionStore(client, settings.redis_prefix).delete_user(username)
        await RefreshFamilies(client, settings.redis_prefix).end_user(username)
        await DenyList(client, settings.redis_prefix).revoke_user(username)
    finally:
        await client.aclose()
