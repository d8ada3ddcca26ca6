"""Signing keys, each bound to one algorithm, with key ids for rotation.

Keys live in <key_dir>/jwt-<alg>/, made on first run. The newest key signs;
every key in the directory verifies, so a new key can be added (rotation) and
the old one removed once the tokens it signed have expired.
"""

from __future__ import annotations

import json
import secrets as random_bytes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import get_default_algorithms

from servers.config import Algorithm
from servers.secrets import SECRET_BYTES, key_files, key_id, new_key_name, write_private


@dataclass(frozen=True)
class KeyKind:
    """How the keys of one algorithm are made, stored and checked."""

    suffix: str  # file name ending in <key_dir>/jwt-<alg>/
    generate: Callable[[], Any] | None  # a new private key; None: a shared HMAC secret
    private_type: type | None  # what a loaded PEM must hold (None for HMAC)

    @property
    def symmetric(self) -> bool:
        """One shared secret signs and verifies (HMAC): no public key to publish."""
        return self.generate is None


# One row per algorithm the servers sign with; an algorithm missing here is refused.
KEY_KINDS: dict[str, KeyKind] = {
    "HS256": KeyKind(".secret", None, None),
    "RS256": KeyKind(
        ".pem",
        lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.RSAPrivateKey,
    ),
    "ES256": KeyKind(
        ".pem", lambda: ec.generate_private_key(ec.SECP256R1()), ec.EllipticCurvePrivateKey
    ),
    "EdDSA": KeyKind(".pem", ed25519.Ed25519PrivateKey.generate, ed25519.Ed25519PrivateKey),
}


def key_kind(alg: str) -> KeyKind:
    """The algorithm's row; an unknown algorithm is an error, never another's keys."""
    try:
        return KEY_KINDS[alg]
    except KeyError:
        raise ValueError(f"no keys for algorithm {alg!r}; known: {', '.join(KEY_KINDS)}") from None


def new_private_key(alg: str) -> Any:
    """A fresh private key object for a public-key algorithm."""
    generate = key_kind(alg).generate
    if generate is None:
        raise ValueError(f"{alg} has a shared secret, not a private key")
    return generate()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: Algorithm
    signing_key: Any  # bytes for HMAC, a private key object otherwise
    verifying_key: Any  # bytes for HMAC, a public key object otherwise

    def public_jwk(self) -> dict[str, Any] | None:
        """The public half as a JWK, or None for a shared HMAC secret."""
        if key_kind(self.alg).generate is None:
            return None
        algorithm = get_default_algorithms()[self.alg]
        jwk: dict[str, Any] = json.loads(algorithm.to_jwk(self.verifying_key))
        jwk.update(kid=self.kid, alg=self.alg, use="sig")
        return jwk


def _generate(alg: Algorithm) -> bytes:
    if key_kind(alg).generate is None:
        return random_bytes.token_bytes(SECRET_BYTES)
    pem: bytes = new_private_key(alg).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem


def _load(path: Path, alg: Algorithm) -> SigningKey:
    data = path.read_bytes()
    kind = key_kind(alg)
    kid = key_id(path, kind.suffix)
    if kind.private_type is None:
        return SigningKey(kid=kid, alg=alg, signing_key=data, verifying_key=data)
    private = serialization.load_pem_private_key(data, password=None)
    if not isinstance(private, kind.private_type):
        raise ValueError(f"{path} does not hold a key for {alg}")
    return SigningKey(kid=kid, alg=alg, signing_key=private, verifying_key=private.public_key())


def add_key(key_dir: Path, alg: Algorithm) -> Path:
    """Make a new key for alg; it signs from now on (rotation)."""
    path = key_dir / f"jwt-{alg}" / new_key_name(key_kind(alg).suffix)
    write_private(path, _generate(alg))
    return path


class KeyRing:
    def __init__(self, keys: list[SigningKey]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self.keys = {key.kid: key for key in keys}
        self.current = keys[-1]

    @classmethod
    def load(cls, key_dir: Path, alg: Algorithm) -> KeyRing:
        directory = key_dir / f"jwt-{alg}"
        suffix = key_kind(alg).suffix
        if not key_files(directory, suffix):
            add_key(key_dir, alg)
        return cls([_load(path, alg) for path in key_files(directory, suffix)])

    def get(self, kid: object) -> SigningKey | None:
        return self.keys.get(kid) if isinstance(kid, str) else None

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [jwk for key in self.keys.values() if (jwk := key.public_jwk())]}
