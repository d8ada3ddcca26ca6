"""TokenCodec: round trips for each algorithm, and every RFC 8725 refusal by its reason.

Forged tokens are signed with the ring's real key unless the point is the
signature, so each test reaches exactly the check it names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import get_default_algorithms

from servers.config import ALGORITHMS, Algorithm
from servers.tokens.codec import (
    ACCESS_TYPE,
    MAX_TOKEN_LENGTH,
    REFRESH_TYPE,
    REQUIRED_CLAIMS,
    TokenCodec,
    TokenRejected,
)
from servers.tokens.keys import KeyRing, SigningKey

ISSUER = "authlab"
AUDIENCE = "authlab-api"


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One key per algorithm for the module: RSA key generation is the slow part.
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(params=ALGORITHMS)
def alg(request: pytest.FixtureRequest) -> Algorithm:
    value: Algorithm = request.param
    return value


@pytest.fixture
def ring(key_dir: Path, alg: Algorithm) -> KeyRing:
    return KeyRing.load(key_dir, alg)


@pytest.fixture
def codec(ring: KeyRing) -> TokenCodec:
    return TokenCodec(ring, issuer=ISSUER, audience=AUDIENCE)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def hmac_forged(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """A compact JWS signed by hand: PyJWT refuses to build some of the attacks."""
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    digest = hashlib.sha512 if header["alg"] == "HS512" else hashlib.sha256
    signature = hmac.new(secret, signing_input.encode(), digest).digest()
    return f"{signing_input}.{_b64(signature)}"


def forged(key: SigningKey, claims: dict[str, Any], header: dict[str, Any]) -> str:
    """Signed by the key, with a header PyJWT's encode would refuse to write."""
    algorithm = get_default_algorithms()[key.alg]
    signing_input = f"{_segment({**header, 'alg': key.alg})}.{_segment(claims)}"
    signature = algorithm.sign(signing_input.encode(), algorithm.prepare_key(key.signing_key))
    return f"{signing_input}.{_b64(signature)}"


def good_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "jti-1",
    }
    claims.update(changes)
    return claims


def signed(key: SigningKey, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
    """Correctly signed by the ring's key, with the header the caller chooses."""
    header = {"kid": key.kid, "typ": ACCESS_TYPE}
    header.update(headers or {})
    return jwt.encode(claims, key.signing_key, algorithm=key.alg, headers=header)


def rejected(codec: TokenCodec, token: str, token_type: str = ACCESS_TYPE) -> str:
    with pytest.raises(TokenRejected) as caught:
        codec.decode(token, token_type)
    return caught.value.reason


def test_round_trip(codec: TokenCodec, alg: Algorithm) -> None:
    issued = codec.issue("alice", ACCESS_TYPE, ttl=300, roles=["user"])
    header = jwt.get_unverified_header(issued.token)
    assert header["alg"] == alg
    assert header["kid"] == codec.keys.current.kid
    assert header["typ"] == ACCESS_TYPE
    claims = codec.decode(issued.token, ACCESS_TYPE)
    assert claims == issued.claims
    assert claims["sub"] == "alice"
    assert claims["roles"] == ["user"]
    assert claims["exp"] - claims["iat"] == 300


def test_each_token_has_its_own_jti(codec: TokenCodec) -> None:
    first = codec.issue("alice", ACCESS_TYPE, ttl=300)
    second = codec.issue("alice", ACCESS_TYPE, ttl=300)
    assert first.claims["jti"] != second.claims["jti"]


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_missing_required_claim(codec: TokenCodec, claim: str) -> None:
    claims = good_claims()
    del claims[claim]
    assert rejected(codec, signed(codec.keys.current, claims)) == "missing_claim"


def test_refresh_token_is_no_access_token(codec: TokenCodec) -> None:
    # Explicit typing (RFC 8725 3.11): one kind of token never passes for another.
    refresh = codec.issue("alice", REFRESH_TYPE, ttl=300).token
    assert rejected(codec, refresh, ACCESS_TYPE) == "wrong_type"
    access = codec.issue("alice", ACCESS_TYPE, ttl=300).token
    assert rejected(codec, access, REFRESH_TYPE) == "wrong_type"


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT", "Application/At+JWT"])
def test_access_type_in_every_spelling_rfc_9068_allows(codec: TokenCodec, typ: str) -> None:
    # RFC 9068 4 and RFC 7515 4.1.9: case-insensitive, "application/" optional.
    token = signed(codec.keys.current, good_claims(), {"typ": typ})
    assert codec.decode(token, ACCESS_TYPE)["sub"] == good_claims()["sub"]


@pytest.mark.parametrize(
    "typ",
    ["refresh+jwt", "application/refresh+jwt", "text/at+jwt", "application/x/at+jwt", "at+jwt "],
)
def test_other_types_stay_refused(codec: TokenCodec, typ: str) -> None:
    token = signed(codec.keys.current, good_claims(), {"typ": typ})
    assert rejected(codec, token) == "wrong_type"


@pytest.mark.parametrize("typ", ["JWT", None])
def test_generic_or_missing_type(codec: TokenCodec, typ: str | None) -> None:
    # PyJWT leaves typ out of the header when it is given as None.
    token = signed(codec.keys.current, good_claims(), {"typ": typ})
    assert jwt.get_unverified_header(token).get("typ") == typ
    assert rejected(codec, token) == "wrong_type"


@pytest.mark.parametrize("kid", ["no-such-key", "", None])
def test_unknown_kid(codec: TokenCodec, kid: object) -> None:
    header: dict[str, Any] = {"typ": ACCESS_TYPE, "kid": kid}
    if kid is None:
        header.pop("kid")
    assert rejected(codec, forged(codec.keys.current, good_claims(), header)) == "unknown_kid"


def test_alg_none_is_refused(codec: TokenCodec) -> None:
    header = {"alg": "none", "kid": codec.keys.current.kid, "typ": ACCESS_TYPE}
    token = f"{_segment(header)}.{_segment(good_claims())}."
    assert rejected(codec, token) == "algorithm_not_allowed"


def test_alg_other_than_the_keys_is_refused(codec: TokenCodec, alg: Algorithm) -> None:
    key = codec.keys.current
    header = {"kid": key.kid, "typ": ACCESS_TYPE}
    if alg == "HS256":
        # The right secret under a stronger-sounding algorithm is still not the key's algorithm.
        token = hmac_forged({**header, "alg": "HS512"}, good_claims(), key.signing_key)
    else:
        # Algorithm confusion: the public key, which anyone may know, used as an HMAC secret.
        public_pem = key.verifying_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        token = hmac_forged({**header, "alg": "HS256"}, good_claims(), public_pem)
    assert rejected(codec, token) == "algorithm_not_allowed"


@pytest.mark.parametrize(
    "extra",
    [
        {"jwk": {"kty": "oct", "k": _b64(b"attacker-chosen-secret")}},
        {"jku": "http://127.0.0.1:1/keys.json"},
        {"x5u": "http://127.0.0.1:1/cert.pem"},
        {"x5c": ["MIIBattacker"]},
        {"x5t": "thumbprint"},
        # The one extension PyJWT understands gets past its own header check, to ours.
        {"crit": ["b64"], "b64": True},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_untrusted_header(codec: TokenCodec, extra: dict[str, Any]) -> None:
    # Correctly signed: the header parameter alone is the reason for refusal.
    key = codec.keys.current
    token = forged(key, good_claims(), {"kid": key.kid, "typ": ACCESS_TYPE, **extra})
    assert rejected(codec, token) == "untrusted_header"


@pytest.mark.parametrize(
    "extra",
    [{"kid": 7}, {"kid": ["a"]}, {"crit": ["exp"]}, {"crit": []}, {"crit": "exp"}],
    ids=repr,
)
def test_header_pyjwt_refuses_to_parse(codec: TokenCodec, extra: dict[str, Any]) -> None:
    # PyJWT raises InvalidTokenError (not DecodeError) for these while reading
    # the header; they must come out as a rejection, never as an exception (a 500).
    key = codec.keys.current
    token = forged(key, good_claims(), {"kid": key.kid, "typ": ACCESS_TYPE, **extra})
    assert rejected(codec, token) == "malformed"


def test_oversized(codec: TokenCodec) -> None:
    token = codec.issue("alice", ACCESS_TYPE, ttl=300, padding="x" * MAX_TOKEN_LENGTH).token
    assert len(token) > MAX_TOKEN_LENGTH
    assert rejected(codec, token) == "oversized"


def test_expired(codec: TokenCodec) -> None:
    token = codec.issue("alice", ACCESS_TYPE, ttl=-60).token
    assert rejected(codec, token) == "expired"


def test_not_yet_valid(codec: TokenCodec) -> None:
    token = codec.issue("alice", ACCESS_TYPE, ttl=7200, nbf=int(time.time()) + 3600).token
    assert rejected(codec, token) == "not_yet_valid"


def test_wrong_audience(codec: TokenCodec) -> None:
    other = TokenCodec(codec.keys, issuer=ISSUER, audience="another-api")
    token = other.issue("alice", ACCESS_TYPE, ttl=300).token
    assert rejected(codec, token) == "wrong_audience"


def test_list_audience_containing_ours_is_accepted(codec: TokenCodec) -> None:
    # RFC 7519 4.1.3: aud may be an array; the token is for us when it names us.
    token = codec.issue("alice", ACCESS_TYPE, ttl=300, aud=["another-api", AUDIENCE]).token
    assert codec.decode(token, ACCESS_TYPE)["sub"] == "alice"


@pytest.mark.parametrize(
    ("audience", "reason"),
    [
        (["another-api", "third-api"], "wrong_audience"),
        ([AUDIENCE.upper()], "wrong_audience"),
        ([], "missing_claim"),  # an empty array names nobody: PyJWT counts it as absent
    ],
)
def test_list_audience_without_ours_is_refused(
    codec: TokenCodec, audience: list[str], reason: str
) -> None:
    token = codec.issue("alice", ACCESS_TYPE, ttl=300, aud=audience).token
    assert rejected(codec, token) == reason


def test_wrong_issuer(codec: TokenCodec) -> None:
    other = TokenCodec(codec.keys, issuer="someone-else", audience=AUDIENCE)
    token = other.issue("alice", ACCESS_TYPE, ttl=300).token
    assert rejected(codec, token) == "wrong_issuer"


def test_tampered_payload(codec: TokenCodec) -> None:
    header, _, signature = codec.issue("alice", ACCESS_TYPE, ttl=300).token.split(".")
    forged = f"{header}.{_segment(good_claims(sub='mallory'))}.{signature}"
    assert rejected(codec, forged) == "bad_signature"


def test_key_of_another_ring_under_our_kid(
    codec: TokenCodec, alg: Algorithm, tmp_path: Path
) -> None:
    # Same algorithm, same kid in the header, someone else's key: the signature fails.
    stranger = KeyRing.load(tmp_path, alg).current
    token = jwt.encode(
        good_claims(),
        stranger.signing_key,
        algorithm=alg,
        headers={"kid": codec.keys.current.kid, "typ": ACCESS_TYPE},
    )
    assert rejected(codec, token) == "bad_signature"


@pytest.mark.parametrize("token", ["", "garbage", "a.b", "a.b.c", "....."])
def test_malformed(codec: TokenCodec, token: str) -> None:
    assert rejected(codec, token) == "malformed"


@pytest.mark.parametrize("claim", ["sub", "jti"])
def test_non_string_subject_or_id(codec: TokenCodec, claim: str) -> None:
    token = signed(codec.keys.current, good_claims(**{claim: 42}))
    assert rejected(codec, token) == "invalid_claims"


def test_header_cache_stays_bounded_and_refuses_what_it_refused(codec: TokenCodec) -> None:
    # Parsed headers are kept per header segment; a flood of distinct ones must
    # neither grow the cache without bound nor change any verdict.
    from servers.tokens import codec as codec_module

    key = codec.keys.current
    for number in range(codec_module._VERDICT_CACHE_SIZE * 3):
        token = signed(key, good_claims(), {"n": number})
        assert codec.decode(token, ACCESS_TYPE)["sub"] == "alice"
        assert len(codec._verdicts) <= codec_module._VERDICT_CACHE_SIZE
    refresh = signed(key, good_claims(), {"typ": REFRESH_TYPE})
    for _ in range(2):  # the second time from the cache
        assert rejected(codec, refresh) == "wrong_type"
