"""Signing keys, each bound to one algorithm, with key ids for rotation.

Keys live in <key_dir>/jwt-<alg>/, made on first run. The newest key signs;
every key in the directory verifies, so a new key can be added (rotation) and
the old one removed once the tokens it signed have expired.
"""

from __future__ import annotations

import json
import secrets as random_bytes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import get_default_algorithms

from servers.config import Algorithm
from servers.secrets import SECRET_BYTES, key_files, key_id, new_key_name, write_private

_SUFFIX = {"HS256": ".secret", "RS256": ".pem", "ES256": ".pem", "EdDSA": ".pem"}


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: Algorithm
    signing_key: Any  # bytes for HMAC, a private key object otherwise
    verifying_key: Any  # bytes for HMAC, a public key object otherwise

    def public_jwk(self) -> dict[str, Any] | None:
        """The public half as a JWK, or None for a shared HMAC secret."""
        if self.alg == "HS256":
            return None
        algorithm = get_default_algorithms()[self.alg]
        jwk: dict[str, Any] = json.loads(algorithm.to_jwk(self.verifying_key))
        jwk.update(kid=self.kid, alg=self.alg, use="sig")
        return jwk


def _generate(alg: Algorithm) -> bytes:
    if alg == "HS256":
        return random_bytes.token_bytes(SECRET_BYTES)
    private: Any
    if alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        private = ed25519.Ed25519PrivateKey.generate()
    pem: bytes = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem


def _load(path: Path, alg: Algorithm) -> SigningKey:
    data = path.read_bytes()
    kid = key_id(path, _SUFFIX[alg])
    if alg == "HS256":
        return SigningKey(kid=kid, alg=alg, signing_key=data, verifying_key=data)
    private = serialization.load_pem_private_key(data, password=None)
    expected = {"RS256": rsa.RSAPrivateKey, "ES256": ec.EllipticCurvePrivateKey}.get(
        alg, ed25519.Ed25519PrivateKey
    )
    if not isinstance(private, expected):
        raise ValueError(f"{path} does not hold a key for {alg}")
    return SigningKey(kid=kid, alg=alg, signing_key=private, verifying_key=private.public_key())


def add_key(key_dir: Path, alg: Algorithm) -> Path:
    """Make a new key for alg; it signs from now on (rotation)."""
    path = key_dir / f"jwt-{alg}" / new_key_name(_SUFFIX[alg])
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
        if not key_files(directory, _SUFFIX[alg]):
            add_key(key_dir, alg)
        return cls([_load(path, alg) for path in key_files(directory, _SUFFIX[alg])])

    def get(self, kid: object) -> SigningKey | None:
        return self.keys.get(kid) if isinstance(kid, str) else None

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [jwk for key in self.keys.values() if (jwk := key.public_jwk())]}
