"""The bad-credential battery against every variant over a real socket, and its own teeth:
against a deliberately weakened server it must report failures."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest

from authlab.security.attack_lab import (
    EXPECT_ACCEPTED,
    EXPECT_REFUSED,
    AttackResult,
    meets,
    variant_name,
)
from authlab.security.attacks import run_battery
from authlab.security.jwt_forge import compact, public_key_secrets
from servers.config import Settings
from servers.strategies.session import SessionStrategy
from servers.tokens.codec import ACCESS_TYPE, TokenCodec, TokenRejected
from servers.tokens.keys import KeyRing
from tests.conftest import PASSWORD

SESSION_VARIANTS = [
    pytest.param({"store": "memory"}, id="session-memory-cookie"),
    pytest.param({"store": "redis"}, id="session-redis-cookie"),
    pytest.param({"store": "sql"}, id="session-sql-cookie"),
    pytest.param({"store": "redis", "transport": "header"}, id="session-redis-header"),
]
TOKEN_VARIANTS = [
    pytest.param({"alg": "HS256"}, id="token-HS256-header"),
    pytest.param({"alg": "RS256"}, id="token-RS256-header"),
    pytest.param({"alg": "ES256"}, id="token-ES256-header"),
    pytest.param({"alg": "EdDSA"}, id="token-EdDSA-header"),
    pytest.param({"alg": "HS256", "transport": "cookie"}, id="token-HS256-cookie"),
    pytest.param({"alg": "HS256", "revocation": "denylist"}, id="token-HS256-header-denylist"),
]

REQUIRED_SESSION_ATTACKS = [
    "forged_session_id",
    "unknown_session_id",
    "unsigned_session_id",
    "tampered_signature",
    "tampered_session_id",
    "signature_swap",
    "malformed_session_id",
    "oversized",
    "empty_credential",
]
REQUIRED_TOKEN_ATTACKS = [
    "stripped_signature",
    "signature_swap",
    "tampered_payload",
    "tampered_header",
    "expired",
    "not_yet_valid",
    "issued_in_future",
    "wrong_audience",
    "wrong_issuer",
    "missing_exp",
    "missing_jti",
    "missing_sub",
    "refresh_as_access",
    "access_at_refresh",
    "embedded_jwk",
    "jku",
    "x5u",
    "x5c",
    "crit",
    "hostile_kid",
    "malformed_token",
    "oversized",
    "refresh_reuse_after_rotation",
    "refresh_family_revoked_after_reuse",
    "wrong_key",
    "alg_switch",
    "refresh_after_logout",
    "control_forged_valid_token",
    "control_audience_list",  # RFC 7519: an aud array holding ours is accepted
    "control_media_type",  # RFC 9068: typ application/at+jwt in any case is accepted
    "wrong_audience_list",  # and an aud array without ours is refused
]


def failures(results: list[AttackResult]) -> str:
    failed = [r for r in results if not r.passed]
    return "\n".join(f"{r.attack} {r.variant}: {r.observed} ({r.detail})" for r in failed)


def check_common(results: list[AttackResult], settings: Settings) -> Counter[str]:
    assert results, "the battery ran no attack"
    assert not failures(results), failures(results)
    for result in results:
        assert result.variant == variant_name(settings)
        assert result.expected in (EXPECT_REFUSED, EXPECT_ACCEPTED)
        assert result.detail and "\n" not in result.detail
        assert result.observed < 500
    return Counter(result.attack for result in results)


@pytest.mark.parametrize("overrides", SESSION_VARIANTS)
def test_session_battery(
    overrides: dict[str, Any],
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
) -> None:
    settings = make_settings(variant="session", **overrides)
    results = run_battery(live_server(settings), settings, "mallory-victim", PASSWORD)
    attacks = check_common(results, settings)
    assert len(results) >= 25
    for name in REQUIRED_SESSION_ATTACKS:
        assert attacks[name] >= 1, name
    assert attacks["session_fixation"] == 2
    assert attacks["replay_after_logout"] == 1
    # The only acceptance is the control, which shows the signature probes are sound.
    accepted = [r.attack for r in results if r.expected == EXPECT_ACCEPTED]
    assert accepted == ["control_resigned_session_id"]


@pytest.mark.parametrize("overrides", TOKEN_VARIANTS)
def test_token_battery(
    overrides: dict[str, Any],
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
) -> None:
    settings = make_settings(variant="token", **overrides)
    results = run_battery(live_server(settings), settings, "mallory-victim", PASSWORD)
    attacks = check_common(results, settings)
    assert len(results) >= 80
    assert attacks["alg_none"] == 8  # four spellings, with and without a signature
    if settings.alg == "HS256":
        assert attacks["algorithm_confusion"] == 0  # no public key to confuse it with
    else:
        assert attacks["algorithm_confusion"] >= 4
    for name in REQUIRED_TOKEN_ATTACKS:
        assert attacks[name] >= 1, name
    (replay,) = [r for r in results if r.attack == "replay_after_logout"]
    if settings.revocation == "denylist":
        assert replay.expected == EXPECT_REFUSED and replay.observed == 401
    else:
        # Documented: without a deny list a logged-out token stays valid until exp.
        assert replay.expected == EXPECT_ACCEPTED and replay.observed == 200
        assert "until exp" in replay.detail


def test_baseline_has_nothing_to_attack(make_settings: Callable[..., Settings]) -> None:
    assert run_battery("http://127.0.0.1:1", make_settings(variant="baseline"), "x", "y") == []


def test_expectations() -> None:
    assert meets(EXPECT_REFUSED, 401) and meets(EXPECT_REFUSED, 413)
    assert not meets(EXPECT_REFUSED, 200)
    assert not meets(EXPECT_REFUSED, 500) and not meets(EXPECT_ACCEPTED, 500)
    assert not meets(EXPECT_REFUSED, 0)  # a dropped connection is no refusal
    assert meets(EXPECT_ACCEPTED, 204) and not meets(EXPECT_ACCEPTED, 401)


# --- the battery has teeth: a weakened server fails it -----------------------------------------


def test_battery_catches_a_server_that_skips_token_checks(
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def trusting_decode(self: TokenCodec, token: str, token_type: str) -> dict[str, Any]:
        try:  # the classic mistake: read the claims, never check the signature
            claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise TokenRejected("malformed") from error
        return claims

    monkeypatch.setattr(TokenCodec, "decode", trusting_decode)
    settings = make_settings(variant="token", alg="RS256")
    results = run_battery(live_server(settings), settings, "mallory-victim", PASSWORD)
    failed = {r.attack for r in results if not r.passed}
    assert {"alg_none", "algorithm_confusion", "tampered_payload", "stripped_signature"} <= failed


def test_battery_catches_a_server_that_skips_the_session_signature(
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def id_without_checking(self: SessionStrategy, credential: str) -> str:
        return credential.rpartition(".")[0] or credential  # the signature is never checked

    monkeypatch.setattr(SessionStrategy, "_unsign", id_without_checking)
    monkeypatch.setattr(SessionStrategy, "login", _fixating_login(SessionStrategy.login))
    settings = make_settings(variant="session", store="memory", transport="header")
    results = run_battery(live_server(settings), settings, "mallory-victim", PASSWORD)
    failed = {r.attack for r in results if not r.passed}
    assert {"forged_session_id", "unsigned_session_id", "tampered_signature", "signature_swap",
            "session_fixation"} <= failed  # fmt: skip


def _fixating_login(original: Any) -> Any:
    """A login that hands back the id the client arrived with: session fixation."""
    from servers.auth import Grant

    async def login(self: SessionStrategy, user: Any, previous: str | None) -> Grant:
        grant: Grant = await original(self, user, None)
        if previous is None:
            return grant
        body = {**grant.body, "access_token": previous}
        return Grant(previous, previous, body, grant.cookie_max_age)

    return login


# --- crafted tokens straight at the codec -------------------------------------------------------


def _codec(tmp_path: Path, alg: Any) -> TokenCodec:
    return TokenCodec(KeyRing.load(tmp_path, alg), issuer="authlab", audience="authlab-api")


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": "authlab", "aud": "authlab-api", "sub": "alice", "iat": now, "nbf": now,
              "exp": now + 60, "jti": "j1", **changes}  # fmt: skip
    return claims


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_codec_refuses_hmac_keyed_with_the_public_key(tmp_path: Path, alg: Any) -> None:
    codec = _codec(tmp_path, alg)
    key = codec.keys.current
    jwk = key.public_jwk()
    assert jwk is not None
    header = {"alg": "HS256", "kid": key.kid, "typ": ACCESS_TYPE}
    for secret in public_key_secrets(jwk).values():
        with pytest.raises(TokenRejected) as rejected:
            codec.decode(compact(header, _claims(), "HS256", secret), ACCESS_TYPE)
        assert rejected.value.reason == "algorithm_not_allowed"


def test_codec_accepts_a_crafted_token_only_when_every_rule_holds(tmp_path: Path) -> None:
    codec = _codec(tmp_path, "ES256")
    key = codec.keys.current
    header = {"alg": "ES256", "kid": key.kid, "typ": ACCESS_TYPE}
    # The crafting itself is sound: with the right key and claims the codec accepts it.
    assert codec.decode(compact(header, _claims(), "ES256", key.signing_key), ACCESS_TYPE)["sub"]
    cases = {
        "algorithm_not_allowed": ({**header, "alg": "none"}, _claims(), None),
        "untrusted_header": ({**header, "jku": "http://127.0.0.1:1/"}, _claims(), key.signing_key),
        "unknown_kid": ({**header, "kid": "../../etc/passwd"}, _claims(), key.signing_key),
        "invalid_claims": (header, _claims(exp=str(int(time.time()) + 60)), key.signing_key),
        "wrong_type": ({**header, "typ": "JWT"}, _claims(), key.signing_key),
    }
    for reason, (case_header, claims, signing_key) in cases.items():
        alg = "ES256" if signing_key is not None else None
        with pytest.raises(TokenRejected) as rejected:
            codec.decode(compact(case_header, claims, alg, signing_key), ACCESS_TYPE)
        assert rejected.value.reason == reason, reason
