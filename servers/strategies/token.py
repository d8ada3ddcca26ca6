"""The token strategy: a signed JWT that carries the session's data itself."""

from __future__ import annotations

import secrets
from typing import Any

from servers.auth import AuthFailed, Grant, Principal
from servers.config import Settings
from servers.tokens.codec import ACCESS_TYPE, REFRESH_TYPE, TokenCodec, TokenRejected
from servers.tokens.denylist import DenyList
from servers.tokens.refresh_families import RefreshFamilies, Rotation
from servers.users import User


class TokenStrategy:
    variant = "token"

    def __init__(
        self,
        settings: Settings,
        codec: TokenCodec,
        families: RefreshFamilies,
        denylist: DenyList | None,
    ) -> None:
        self.settings = settings
        self.codec = codec
        self.families = families
        self.denylist = denylist

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def _grant(
        self, username: str, roles: tuple[str, ...], family: str, gen: int
    ) -> tuple[Grant, str]:
        """An access and a refresh token of one family; also the refresh token's jti."""
        access = self.codec.issue(
            username,
            ACCESS_TYPE,
            self.settings.access_ttl,
            client_id=self.settings.client_id,
            roles=list(roles),
            fam=family,
            gen=gen,
        )
        refresh = self.codec.issue(
            username,
            REFRESH_TYPE,
            self.settings.refresh_ttl,
            roles=list(roles),
            fam=family,
            gen=gen,
        )
        body = {
            "access_token": access.token,
            "token_type": "Bearer",
            "expires_in": self.settings.access_ttl,
            "refresh_token": refresh.token,
        }
        grant = Grant(
            credential=access.token,
            credential_id=access.claims["jti"],
            body=body,
            cookie_max_age=self.settings.access_ttl,
        )
        return grant, refresh.claims["jti"]

    async def login(self, user: User, previous_credential: str | None) -> Grant:
        generation = await self.denylist.generation(user.username) if self.denylist else 0
        family = secrets.token_urlsafe(16)
        grant, refresh_jti = self._grant(user.username, user.roles, family, generation)
        await self.families.start(user.username, family, refresh_jti, self.settings.refresh_ttl)
        return grant

    def _decode(self, token: str, token_type: str) -> dict[str, Any]:
        try:
            claims = self.codec.decode(token, token_type)
        except TokenRejected as error:
            raise AuthFailed(error.reason) from error
        # Our own claims are read with int() and iterated below: a wrong type is a 401, not a 500.
        generation, roles = claims.get("gen", 0), claims.get("roles", [])
        if type(generation) is not int or type(roles) is not list:  # bool is not an int here
            raise AuthFailed("invalid_claims")
        for role in roles:
            if type(role) is not str:
                raise AuthFailed("invalid_claims")
        return claims

    async def authenticate(self, credential: str) -> Principal:
        claims = self._decode(credential, ACCESS_TYPE)
        username, jti, generation = claims["sub"], claims["jti"], claims.get("gen", 0)
        if self.denylist is not None and await self.denylist.is_revoked(jti, username, generation):
            raise AuthFailed("revoked")
        return Principal(
            username,
            tuple(claims.get("roles", ())),
            jti,
            float(claims["exp"]),
            {"family": claims.get("fam"), "generation": generation},
        )

    async def logout(self, principal: Principal) -> None:
        family = principal.details.get("family")
        if isinstance(family, str):
            await self.families.end(family)
        if self.denylist is not None:
            await self.denylist.deny(principal.credential_id, principal.expires_at)
        # Without a deny list the access token stays valid until exp: nothing
        # on the server knows it any more. That window is what the lab measures.

    async def revoke_user(self, username: str) -> None:
        await self.families.end_user(username)
        if self.denylist is not None:
            await self.denylist.revoke_user(username)

    async def refresh(self, refresh_token: str) -> Grant:
        claims = self._decode(refresh_token, REFRESH_TYPE)
        family = claims.get("fam")
        if not isinstance(family, str):
            raise AuthFailed("invalid_claims")
        generation = int(claims.get("gen", 0))
        roles = tuple(str(role) for role in claims.get("roles", []))
        grant, next_jti = self._grant(claims["sub"], roles, family, generation)
        outcome = await self.families.rotate(
            family, claims["jti"], next_jti, self.settings.refresh_ttl
        )
        if outcome is Rotation.REUSED:
            raise AuthFailed("refresh_reused")
        if outcome is Rotation.UNKNOWN:
            raise AuthFailed("refresh_unknown")
        return grant

    async def ping(self) -> None:
        await self.families.ping()

    def describe(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "alg": self.settings.alg,
            "transport": self.settings.effective_transport,
            "revocation": self.settings.revocation,
        }
