"""Server-side session stores: one protocol, three backends (memory, Redis, SQL)."""

from servers.sessions.session_store import SessionRecord, SessionStore

__all__ = ["SessionRecord", "SessionStore"]
