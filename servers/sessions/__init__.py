"""Server-side session stores: one protocol, three backends (memory, Redis, SQL)."""

from servers.sessions.base import SessionRecord, SessionStore

__all__ = ["SessionRecord", "SessionStore"]
