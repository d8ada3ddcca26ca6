"""Hand-made JWTs for the attack battery.

PyJWT refuses to build most of what an attacker sends (alg "none" with a
signature, HS256 keyed with a public key PEM, a header kid that is null), so
tokens are put together here byte by byte: base64url segments joined by dots,
signed with PyJWT's algorithm objects or plain HMAC.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import get_default_algorithms

from servers.config import Settings
from servers.tokens.keys import KeyRing, SigningKey, new_private_key

_HMAC_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segment(value: Any) -> str:
    """One JWT segment: compact JSON, base64url without padding."""
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def sign(alg: str, key: Any, signing_input: bytes) -> str:
    """The signature segment; an HMAC key may be any bytes (a public key PEM, even empty)."""
    if alg in _HMAC_HASHES:
        return b64url(hmac.new(key, signing_input, _HMAC_HASHES[alg]).digest())
    return b64url(get_default_algorithms()[alg].sign(signing_input, key))


def compact(header: Any, payload: Any, alg: str | None = None, key: Any = None) -> str:
    """header.payload.signature, signed with (alg, key), or with an empty signature."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    signature = sign(alg, key, signing_input.encode()) if alg is not None else ""
    return f"{signing_input}.{signature}"


def split(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A token's header, payload (unverified) and signature segment."""
    header, payload, signature = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), signature


@dataclass(frozen=True)
class AttackerKey:
    """A key the attacker made: it signs, and its public half goes in a jwk/x5c header."""

    alg: str
    private: Any  # bytes for HMAC
    public_jwk: dict[str, Any]


def attacker_key(alg: str) -> AttackerKey:
    """A fresh key for alg that the server has never seen."""
    if alg in _HMAC_HASHES:
        secret = secrets.token_bytes(64)
        return AttackerKey(alg, secret, {"kty": "oct", "k": b64url(secret)})
    private: Any
    if alg.startswith("RS") or alg.startswith("PS"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        # The servers' own algorithms: a key of the kind they use (unknown: ValueError).
        private = new_private_key(alg)
    jwk: dict[str, Any] = json.loads(get_default_algorithms()[alg].to_jwk(private.public_key()))
    return AttackerKey(alg, private, jwk)


def self_signed_x5c(key: AttackerKey) -> list[str]:
    """An x5c chain (standard base64 DER, RFC 7515 4.1.6) of one self-signed certificate."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "authlab-attacker")])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    digest = None if isinstance(key.private, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    certificate = builder.sign(key.private, digest)
    der = certificate.public_bytes(serialization.Encoding.DER)
    return [base64.b64encode(der).decode("ascii")]


def public_key_secrets(jwk: dict[str, Any]) -> dict[str, bytes]:
    """Byte strings a confused verifier might use as an HMAC secret: the public key as PEM,
    PEM without its final newline, DER, and the JWK's JSON text."""
    algorithm = get_default_algorithms()[str(jwk["alg"])]
    public = algorithm.from_jwk(json.dumps(jwk))
    pem: bytes = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    der: bytes = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "public-key-pem": pem,
        "public-key-pem-stripped": pem.rstrip(b"\n"),
        "public-key-der": der,
        "public-jwk-json": json.dumps(jwk).encode(),
    }


class TokenForger:
    """Tokens signed with the server's own key, from the legitimate token's header and claims."""

    def __init__(self, settings: Settings, legit_token: str) -> None:
        ring = KeyRing.load(Path(settings.key_dir), settings.alg)
        self.header, self.claims, self.signature = split(legit_token)
        self.key: SigningKey = ring.get(self.header.get("kid")) or ring.current
        self.token = legit_token

    def fresh_claims(self, drop: Sequence[str] = (), **changes: Any) -> dict[str, Any]:
        """The legitimate claims with a new jti and times, changed and with some dropped."""
        now = int(time.time())
        claims = {**self.claims, "iat": now, "nbf": now, "exp": now + 300}
        claims["jti"] = secrets.token_urlsafe(16)
        claims.update(changes)
        return {name: value for name, value in claims.items() if name not in drop}

    def header_with(self, drop: Sequence[str] = (), **changes: Any) -> dict[str, Any]:
        header = {**self.header, **changes}
        return {name: value for name, value in header.items() if name not in drop}

    def signed(self, header: Any = None, claims: Any = None) -> str:
        return compact(
            self.header if header is None else header,
            self.fresh_claims() if claims is None else claims,
            self.key.alg,
            self.key.signing_key,
        )

    def with_signature(self, header: Any, claims: Any, signature: str) -> str:
        """header.payload with a signature made for something else."""
        return f"{segment(header)}.{segment(claims)}.{signature}"
