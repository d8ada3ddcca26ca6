"""Issue and check JWTs the RFC 8725 way.

Nothing in a token's header is trusted to choose how it is checked: the key id
must name one of our keys, the algorithm must be the one that key is bound to,
the type must be the one the caller expects, and header parameters that carry
or point to keys (jwk, jku, x5u, x5c, ...) or demand extensions (crit) are refused.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Final

import jwt

from servers.errors import Rejected
from servers.tokens.keys import KeyRing, SigningKey

ACCESS_TYPE: Final = "at+jwt"  # RFC 9068
REFRESH_TYPE: Final = "refresh+jwt"
# PyJWT's own header checks (_validate_headers) understand only this extension.
_PYJWT_CRIT: Final = frozenset({"b64"})
_NUMERIC_DATES: Final = ("exp", "iat", "nbf")
# Header verdicts kept per (segment, expected type); bounded against a flood.
_VERDICT_CACHE_SIZE: Final = 256
MAX_TOKEN_LENGTH: Final = 4096
REQUIRED_CLAIMS: Final = ["exp", "iat", "sub", "jti", "iss", "aud"]
UNTRUSTED_HEADERS: Final = frozenset({"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256", "crit"})

# PyJWT's error tree, most specific first, to the reason the metrics count.
_REASONS: Final[tuple[tuple[type[Exception], str], ...]] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.MissingRequiredClaimError, "missing_claim"),
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.InvalidAlgorithmError, "algorithm_not_allowed"),
    (jwt.DecodeError, "malformed"),
    (jwt.InvalidTokenError, "invalid_claims"),
)


class TokenRejected(Rejected):
    """A token that does not decode to valid claims of the expected type."""


@dataclass(frozen=True)
class Issued:
    token: str
    claims: dict[str, Any]


class TokenCodec:
    def __init__(self, keys: KeyRing, issuer: str, audience: str) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        # (header segment, expected type) -> the key to verify with, or why not.
        self._verdicts: dict[tuple[str, str], SigningKey | str] = {}

    def issue(self, subject: str, token_type: str, ttl: int, **extra: Any) -> Issued:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": secrets.token_urlsafe(16),
            **extra,
        }
        key = self.keys.current
        token = jwt.encode(
            claims, key.signing_key, algorithm=key.alg, headers={"kid": key.kid, "typ": token_type}
        )
        return Issued(token=token, claims=claims)

    def decode(self, token: str, token_type: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenRejected("oversized")
        segment, dot, _ = token.partition(".")
        if not dot:
            raise TokenRejected("malformed")
        key = self._key_for(segment, token_type)
        try:
            # The one full parse: PyJWT decodes all three segments strictly, checks
            # the signature with the key and algorithm chosen above, then the claims.
            # strict_aud off: RFC 7519 4.1.3 allows an array, which must contain ours.
            claims: dict[str, Any] = jwt.decode(
                token,
                key.verifying_key,
                algorithms=[key.alg],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS, "strict_aud": False},
            )
        except jwt.PyJWTError as error:
            raise TokenRejected(_reason(error)) from error
        if type(claims.get("sub")) is not str or type(claims.get("jti")) is not str:
            raise TokenRejected("invalid_claims")
        # RFC 7519: a NumericDate is a JSON number; PyJWT also takes "1700000000" (int()).
        for name in _NUMERIC_DATES:
            if name in claims and type(claims[name]) not in (int, float):
                raise TokenRejected("invalid_claims")
        return claims

    def _key_for(self, segment: str, token_type: str) -> SigningKey:
        """The key a header segment names, or TokenRejected: its verdict is kept, since
        every token one key signs for one use has the same header segment."""
        verdict = self._verdicts.get((segment, token_type))
        if verdict is None:
            try:
                verdict = self._judge_header(_parse_header(segment), token_type)
            except TokenRejected as rejected:
                verdict = rejected.reason
            if len(self._verdicts) >= _VERDICT_CACHE_SIZE:
                self._verdicts.clear()  # a flood of made-up headers starts it over
            self._verdicts[(segment, token_type)] = verdict
        if isinstance(verdict, str):
            raise TokenRejected(verdict)
        return verdict

    def _judge_header(self, header: dict[str, Any], token_type: str) -> SigningKey:
        """Nothing in the header chooses how the token is checked (RFC 8725)."""
        if UNTRUSTED_HEADERS & header.keys():
            raise TokenRejected("untrusted_header")
        key = self.keys.get(header.get("kid"))
        if key is None:
            raise TokenRejected("unknown_kid")
        if header.get("alg") != key.alg:
            raise TokenRejected("algorithm_not_allowed")
        if media_type(header.get("typ")) != token_type:
            raise TokenRejected("wrong_type")
        return key


def media_type(typ: object) -> str | None:
    """A `typ` value as a bare media subtype: RFC 7515 4.1.9 makes it case-insensitive
    and lets "application/" be left out where no other "/" follows, so RFC 9068's
    "at+jwt" and "application/at+jwt" name the same type."""
    if not isinstance(typ, str):
        return None
    bare = typ.lower().removeprefix("application/")
    return None if "/" in bare else bare


def _parse_header(segment: str) -> dict[str, Any]:
    """The JOSE header from its segment alone, to choose the key.

    PyJWT's get_unverified_header decodes all three segments (character by
    character), which cost as much again as the verification it precedes.
    This read is lenient; jwt.decode then parses the whole token strictly and
    refuses whatever got past here. The header checks PyJWT makes while
    reading (kid a string, crit only what it supports) are made here too.
    """
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error, RecursionError) as error:
        raise TokenRejected("malformed") from error
    if not isinstance(header, dict) or not _pyjwt_accepts(header):
        raise TokenRejected("malformed")
    return header


def _pyjwt_accepts(header: dict[str, Any]) -> bool:
    if "kid" in header and not isinstance(header["kid"], str):
        return False
    if "crit" not in header:
        return True
    crit = header["crit"]
    return (
        isinstance(crit, list)
        and bool(crit)
        and all(isinstance(name, str) and name in _PYJWT_CRIT and name in header for name in crit)
    )


def _reason(error: Exception) -> str:
    for kind, reason in _REASONS:
        if isinstance(error, kind):
            return reason
    return "invalid"
