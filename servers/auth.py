"""What the routes ask of a variant: the AuthStrategy protocol and its values.

A strategy is how one variant makes, checks and revokes a credential. The
routes, user store, CSRF and metrics around it are the same for every variant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from servers.errors import Rejected
from servers.users import User


class AuthFailed(Rejected):
    """The request's credential does not authenticate it; reason goes to metrics."""


_NO_DETAILS: Mapping[str, Any] = MappingProxyType({})


class Principal(NamedTuple):
    """Who a request is, made once per authenticated request: a NamedTuple, immutable
    like a frozen dataclass at a fifth of its construction cost."""

    username: str
    roles: tuple[str, ...]
    # The session id or the token's jti: what CSRF tokens and revocation bind to.
    credential_id: str
    expires_at: float
    details: Mapping[str, Any] = _NO_DETAILS


@dataclass(frozen=True)
class Grant:
    """A credential handed out at login or refresh."""

    credential: str  # what the transport carries
    credential_id: str
    body: dict[str, Any]  # the JSON answer
    cookie_max_age: int | None


class AuthStrategy(Protocol):
    variant: str

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def login(self, user: User, previous_credential: str | None) -> Grant:
        """A fresh credential; a credential the client already held is ended, never reused."""

    async def authenticate(self, credential: str) -> Principal:
        """Raise AuthFailed, or StoreUnavailable when it cannot tell (fail closed)."""

    async def logout(self, principal: Principal) -> None: ...

    async def revoke_user(self, username: str) -> None:
        """End every credential of a user, as far as this variant can."""

    async def refresh(self, refresh_token: str) -> Grant:
        """Raise NotSupported where the variant has no refresh tokens."""

    async def ping(self) -> None: ...

    def describe(self) -> dict[str, Any]:
        """The variant's configuration, for /health and result manifests."""
