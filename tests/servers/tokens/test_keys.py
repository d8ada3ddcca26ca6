"""KeyRing on disk: made on first run, stable after, rotated by adding a key."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from servers.config import ALGORITHMS, Algorithm
from servers.secrets import write_private
from servers.tokens.codec import ACCESS_TYPE, TokenCodec, TokenRejected
from servers.tokens.keys import KEY_KINDS, KeyRing, add_key

# RSA private members as well as the shared "d" of RSA, EC and OKP keys.
PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


@pytest.fixture(params=ALGORITHMS)
def alg(request: pytest.FixtureRequest) -> Algorithm:
    value: Algorithm = request.param
    return value


def codec_for(ring: KeyRing) -> TokenCodec:
    return TokenCodec(ring, issuer="authlab", audience="authlab-api")


def test_first_load_makes_one_key(tmp_path: Path, alg: Algorithm) -> None:
    ring = KeyRing.load(tmp_path, alg)
    files = list((tmp_path / f"jwt-{alg}").iterdir())
    assert len(files) == 1
    assert len(ring.keys) == 1
    assert ring.current.alg == alg
    # The kid is the random part of the file name, so every process agrees on it.
    assert ring.current.kid in files[0].name


def test_second_load_reuses_the_key(tmp_path: Path, alg: Algorithm) -> None:
    first = KeyRing.load(tmp_path, alg)
    second = KeyRing.load(tmp_path, alg)
    assert second.current.kid == first.current.kid
    assert len(list((tmp_path / f"jwt-{alg}").iterdir())) == 1
    # Same key material: a token from the first process verifies in the second.
    token = codec_for(first).issue("alice", ACCESS_TYPE, ttl=300).token
    assert codec_for(second).decode(token, ACCESS_TYPE)["sub"] == "alice"


def test_algorithms_keep_separate_keys(tmp_path: Path) -> None:
    kids = {KeyRing.load(tmp_path, alg).current.kid for alg in ALGORITHMS}
    assert len(kids) == len(ALGORITHMS)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"jwt-{alg}" for alg in ALGORITHMS
    )


def test_rotation_new_key_signs_old_tokens_still_verify(tmp_path: Path, alg: Algorithm) -> None:
    old_ring = KeyRing.load(tmp_path, alg)
    old_token = codec_for(old_ring).issue("alice", ACCESS_TYPE, ttl=300).token

    add_key(tmp_path, alg)
    new_ring = KeyRing.load(tmp_path, alg)
    assert len(new_ring.keys) == 2
    assert new_ring.current.kid != old_ring.current.kid
    assert old_ring.current.kid in new_ring.keys

    new_codec = codec_for(new_ring)
    new_token = new_codec.issue("bob", ACCESS_TYPE, ttl=300).token
    assert jwt.get_unverified_header(new_token)["kid"] == new_ring.current.kid
    assert new_codec.decode(old_token, ACCESS_TYPE)["sub"] == "alice"
    assert new_codec.decode(new_token, ACCESS_TYPE)["sub"] == "bob"
    # A process that has not reloaded its ring does not know the new kid yet.
    with pytest.raises(TokenRejected) as caught:
        codec_for(old_ring).decode(new_token, ACCESS_TYPE)
    assert caught.value.reason == "unknown_kid"


def test_removing_the_old_key_retires_its_tokens(tmp_path: Path) -> None:
    old_ring = KeyRing.load(tmp_path, "HS256")
    old_token = codec_for(old_ring).issue("alice", ACCESS_TYPE, ttl=300).token
    old_path = next((tmp_path / "jwt-HS256").iterdir())
    add_key(tmp_path, "HS256")
    old_path.unlink()
    with pytest.raises(TokenRejected) as caught:
        codec_for(KeyRing.load(tmp_path, "HS256")).decode(old_token, ACCESS_TYPE)
    assert caught.value.reason == "unknown_kid"


def test_key_files_are_private(tmp_path: Path, alg: Algorithm) -> None:
    KeyRing.load(tmp_path, alg)
    add_key(tmp_path, alg)
    directory = tmp_path / f"jwt-{alg}"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    files = list(directory.iterdir())
    assert len(files) == 2  # and no temporary file left behind
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_jwks_holds_public_keys_only(tmp_path: Path, alg: Algorithm) -> None:
    KeyRing.load(tmp_path, alg)
    add_key(tmp_path, alg)
    ring = KeyRing.load(tmp_path, alg)
    jwks = ring.jwks()
    if alg == "HS256":
        # A shared secret has no public half: publishing it would hand out the signing key.
        assert jwks == {"keys": []}
        return
    assert [jwk["kid"] for jwk in jwks["keys"]] == list(ring.keys)
    for jwk in jwks["keys"]:
        assert not PRIVATE_JWK_MEMBERS & jwk.keys(), jwk
        assert jwk["alg"] == alg
        assert jwk["use"] == "sig"
    # And each published key is the one that verifies: a client can check our tokens.
    token = codec_for(ring).issue("alice", ACCESS_TYPE, ttl=300).token
    published = next(jwk for jwk in jwks["keys"] if jwk["kid"] == ring.current.kid)
    claims = jwt.decode(token, jwt.PyJWK(published).key, algorithms=[alg], audience="authlab-api")
    assert claims["sub"] == "alice"


def test_key_of_the_wrong_type_is_refused(tmp_path: Path) -> None:
    # An EC key dropped into the RSA directory must not sign as "RS256".
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_private(tmp_path / "jwt-RS256" / "00000000000000000001-0123456789abcdef.pem", pem)
    with pytest.raises(ValueError, match="RS256"):
        KeyRing.load(tmp_path, "RS256")


def test_empty_ring_is_refused() -> None:
    with pytest.raises(ValueError):
        KeyRing([])


@pytest.mark.parametrize("kid", [None, 7, ["kid"], {"kid": 1}])
def test_get_with_a_non_string_kid_is_none(tmp_path: Path, kid: object) -> None:
    assert KeyRing.load(tmp_path, "HS256").get(kid) is None


def test_every_algorithm_has_its_row_and_an_unknown_one_is_refused(tmp_path: Path) -> None:
    assert set(KEY_KINDS) == set(ALGORITHMS)
    # No silent fallback to another algorithm's keys: an unknown one is an error.
    for unknown in ("PS256", "ES384", "none"):
        with pytest.raises(ValueError, match="no keys for algorithm"):
            KeyRing.load(tmp_path, unknown)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="no keys for algorithm"):
            add_key(tmp_path, unknown)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())


def test_only_hmac_is_symmetric() -> None:
    from servers.tokens.keys import KEY_KINDS

    assert {alg for alg, kind in KEY_KINDS.items() if kind.symmetric} == {"HS256"}
