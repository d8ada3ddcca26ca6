"""Interop with an independent JOSE implementation (joserfc), both ways, for every algorithm.

What a third party does with our tokens: joserfc fetches /.well-known/jwks.json and verifies
an access token the server issued (for HS256 there is no public key: the third party would
hold the shared secret, here read from the server's key directory). What the server does with
tokens someone else's code made: joserfc signs access tokens with the server's own key, in the
forms RFC 9068 and RFC 7519 allow (`typ` "at+jwt" or "application/at+jwt" in any case, `aud`
a string or an array holding our audience), and the server must take them; signed with any
other key or algorithm, or typed as anything but an access token, it must refuse them.

Every check crosses a real socket: a uvicorn server per algorithm, started once per module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import ECKey, KeySet, OctKey, OKPKey, RSAKey
from joserfc.jwt import JWTClaimsRegistry

from servers.config import ALGORITHMS, Algorithm, Settings
from tests.conftest import FAST_ARGON2, PASSWORD, serve_in_thread

# RFC 9864 deprecates "EdDSA" for the fully specified "Ed25519"; the server still names it
# EdDSA (as PyJWT does), and interop with that name is what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated:joserfc.errors.SecurityWarning")

JoseKey = OctKey | RSAKey | ECKey | OKPKey
USERNAME = "interop"
ISSUER = Settings().issuer
AUDIENCE = Settings().audience
CLIENT_ID = "authlab-lab"  # the lab's client id by default (RFC 9068 section 2.2)
ACCESS_TYPES = ("at+jwt", "application/at+jwt", "AT+JWT", "Application/AT+JWT")


@dataclass
class Server:
    alg: Algorithm
    url: str
    key_dir: Path

    def signing_key(self) -> JoseKey:
        """The server's current signing key, read from its key directory as joserfc keys."""
        directory = self.key_dir / f"jwt-{self.alg}"
        suffix = ".secret" if self.alg == "HS256" else ".pem"
        [path] = sorted(directory.glob(f"*{suffix}"))
        return _import(self.alg, path.read_bytes())

    def kid(self) -> str:
        access = self.login()["access_token"]
        return str(jwt.decode(access, self.verifier(), algorithms=[self.alg]).header["kid"])

    def verifier(self) -> KeySet | JoseKey:
        """How a third party verifies: the JWKS, or the shared secret for HS256."""
        if self.alg == "HS256":
            return self.signing_key()
        jwks = httpx.get(f"{self.url}/.well-known/jwks.json", timeout=10).json()
        return KeySet.import_key_set(jwks)

    def login(self) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/login", json={"username": USERNAME, "password": PASSWORD}, timeout=30
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def me(self, token: str) -> httpx.Response:
        return httpx.get(f"{self.url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _import(alg: str, material: bytes) -> JoseKey:
    if alg.startswith("HS"):
        return OctKey.import_key(material)
    kind: type[RSAKey] | type[ECKey] | type[OKPKey] = {"RS256": RSAKey, "ES256": ECKey}.get(
        alg, OKPKey
    )
    return kind.import_key(material)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _fresh_key(alg: str) -> JoseKey:
    """A key of the right kind for alg that is not the server's."""
    if alg.startswith("HS"):
        return OctKey.import_key(secrets.token_bytes(64))
    private: Any = {
        "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    }.get(alg, ed25519.Ed25519PrivateKey.generate)()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _import(alg, pem)


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> Iterator[dict[Algorithm, Server]]:
    """One token server per algorithm, each with its own keys and a registered user."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        started: dict[Algorithm, Server] = {}
        for alg in ALGORITHMS:
            root = tmp_path_factory.mktemp(f"interop-{alg}")
            settings = Settings(
                variant="token",
                alg=alg,
                database_url=f"sqlite:///{root / 'users.sqlite3'}",
                key_dir=str(root / "keys"),
                redis_url=redis_url,
                redis_prefix=f"authlab-test:{secrets.token_hex(6)}:",
                argon2=FAST_ARGON2,
            )
            url = stack.enter_context(serve_in_thread(settings))
            response = httpx.post(
                f"{url}/register", json={"username": USERNAME, "password": PASSWORD}, timeout=30
            )
            assert response.status_code == 201, response.text
            started[alg] = Server(alg, url, root / "keys")
        yield started


@pytest.fixture(params=ALGORITHMS)
def server(request: pytest.FixtureRequest, servers: dict[Algorithm, Server]) -> Server:
    return servers[request.param]


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": USERNAME,
        "client_id": CLIENT_ID,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": secrets.token_urlsafe(16),
        "roles": ["user"],
    }
    claims.update(overrides)
    return claims


def _sign(alg: str, key: JoseKey, kid: str, typ: str = "at+jwt", **claims: Any) -> str:
    header = {"alg": alg, "kid": kid, "typ": typ}
    return jwt.encode(header, _claims(**claims), key, algorithms=[alg])


# --- joserfc verifies what the server issues ------------------------------------------------


def test_joserfc_verifies_our_access_token(server: Server) -> None:
    assert Settings().client_id == CLIENT_ID
    access = server.login()["access_token"]
    token = jwt.decode(access, server.verifier(), algorithms=[server.alg])
    assert token.header["alg"] == server.alg
    # RFC 9068 section 2.1: typ is at+jwt (the application/ prefix may be left out).
    assert token.header["typ"].lower().removeprefix("application/") == "at+jwt"
    # RFC 9068 section 2.2: the claims an access token must carry, with our values.
    registry = JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        sub={"essential": True, "value": USERNAME},
        client_id={"essential": True, "value": CLIENT_ID},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
    )
    registry.validate(token.claims)


def test_the_jwks_publishes_public_keys_only(server: Server) -> None:
    jwks = httpx.get(f"{server.url}/.well-known/jwks.json", timeout=10).json()
    if server.alg == "HS256":
        assert jwks == {"keys": []}  # a shared secret is never published
        return
    [key] = jwks["keys"]
    assert (key["alg"], key["use"]) == (server.alg, "sig")
    for private_member in ("d", "p", "q", "dp", "dq", "qi", "k"):
        assert private_member not in key
    assert key["kid"] == server.kid()


def test_joserfc_refuses_our_token_under_another_key(server: Server) -> None:
    """The verification above is not vacuous: the same check fails with a stranger's key."""
    access = server.login()["access_token"]
    with pytest.raises(BadSignatureError):
        jwt.decode(access, _fresh_key(server.alg), algorithms=[server.alg])


def test_joserfc_verifies_our_refresh_token_and_sees_its_type(server: Server) -> None:
    refresh = server.login()["refresh_token"]
    token = jwt.decode(refresh, server.verifier(), algorithms=[server.alg])
    assert token.header["typ"].lower().removeprefix("application/") != "at+jwt"


# --- the server accepts what joserfc signs with our key -------------------------------------


@pytest.mark.parametrize("typ", ACCESS_TYPES)
def test_server_accepts_joserfc_tokens_of_every_access_type(server: Server, typ: str) -> None:
    token = _sign(server.alg, server.signing_key(), server.kid(), typ=typ)
    response = server.me(token)
    assert response.status_code == 200, response.text
    assert response.json()["username"] == USERNAME


@pytest.mark.parametrize(
    "audience", [[AUDIENCE], ["another-api", AUDIENCE]], ids=["alone", "among-others"]
)
def test_server_accepts_an_audience_array_that_holds_ours(
    server: Server, audience: list[str]
) -> None:
    token = _sign(
        server.alg, server.signing_key(), server.kid(), typ="application/at+jwt", aud=audience
    )
    response = server.me(token)
    assert response.status_code == 200, response.text


# --- and refuses everything else ------------------------------------------------------------


def _refused(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    reason: str = response.json()["reason"]
    return reason


def test_server_refuses_a_token_signed_with_another_key(server: Server) -> None:
    token = _sign(server.alg, _fresh_key(server.alg), server.kid())
    assert _refused(server.me(token)) == "bad_signature"


@pytest.mark.parametrize(
    ("alg", "other"), [(alg, other) for alg in ALGORITHMS for other in ALGORITHMS if other != alg]
)
def test_server_refuses_a_token_signed_with_another_algorithm(
    servers: dict[Algorithm, Server], alg: Algorithm, other: str
) -> None:
    server = servers[alg]
    token = _sign(other, _fresh_key(other), server.kid())
    assert _refused(server.me(token)) == "algorithm_not_allowed"


@pytest.mark.parametrize("alg", [alg for alg in ALGORITHMS if alg != "HS256"])
def test_server_refuses_hmac_keyed_with_its_public_key(
    servers: dict[Algorithm, Server], alg: Algorithm
) -> None:
    """The classic algorithm confusion: HS256 with the published public key as the secret."""
    server = servers[alg]
    # joserfc itself refuses to make an oct key of a public key, so sign by hand.
    public = server.signing_key().as_pem(private=False)
    header = _b64(json.dumps({"alg": "HS256", "kid": server.kid(), "typ": "at+jwt"}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    signature = hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    token = f"{header}.{payload}.{_b64(signature)}"
    assert _refused(server.me(token)) == "algorithm_not_allowed"


def test_server_refuses_an_unknown_kid(server: Server) -> None:
    token = _sign(server.alg, server.signing_key(), "not-our-kid")
    assert _refused(server.me(token)) == "unknown_kid"


@pytest.mark.parametrize("typ", ["refresh+jwt", "application/refresh+jwt", "JWT", "at+jwt2", ""])
def test_server_refuses_every_other_type(server: Server, typ: str) -> None:
    token = _sign(server.alg, server.signing_key(), server.kid(), typ=typ)
    assert _refused(server.me(token)) == "wrong_type"


@pytest.mark.parametrize(
    ("audience", "reason"),
    [
        (["another-api"], "wrong_audience"),
        ([AUDIENCE.upper()], "wrong_audience"),  # StringOrURI values compare case-sensitively
        ([], "missing_claim"),  # PyJWT counts an empty array as no audience at all
    ],
    ids=["other", "case", "empty"],
)
def test_server_refuses_an_audience_array_without_ours(
    server: Server, audience: list[str], reason: str
) -> None:
    token = _sign(server.alg, server.signing_key(), server.kid(), aud=audience)
    assert _refused(server.me(token)) == reason


@pytest.mark.parametrize(
    ("claims", "reason"),
    [({"iss": "someone-else"}, "wrong_issuer"), ({"exp": int(time.time()) - 60}, "expired")],
    ids=["issuer", "expired"],
)
def test_server_refuses_joserfc_tokens_with_wrong_claims(
    server: Server, claims: dict[str, Any], reason: str
) -> None:
    token = _sign(server.alg, server.signing_key(), server.kid(), **claims)
    assert _refused(server.me(token)) == reason


def test_our_refresh_token_is_refused_as_an_access_token(server: Server) -> None:
    refresh = server.login()["refresh_token"]
    assert _refused(server.me(refresh)) == "wrong_type"
