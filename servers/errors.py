"""One error tree for the servers, rooted at one base class (as PyJWT's)."""

from __future__ import annotations


class AuthlabError(Exception):
    """Base of every error the servers raise on purpose."""


class Rejected(AuthlabError):
    """A request refused for a named reason (`reason`: what the client and the metrics see)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StoreUnavailable(AuthlabError):
    """A backing store (Redis, SQL) could not be reached. Callers fail closed."""

    def __init__(self, store: str, cause: BaseException | None = None) -> None:
        super().__init__(f"{store} is unreachable: {cause}")
        self.store = store


class NotSupported(AuthlabError):
    """The variant cannot do this (a stateless token cannot be revoked, ...)."""
