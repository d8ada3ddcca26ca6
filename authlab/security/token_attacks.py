"""The token battery: forged, tampered, malformed, replayed and oversized JWTs (RFC 8725,
RFC 7515's header parameters, OWASP's JSON Web Token cheat sheet), then TOKEN_ATTACKS in order."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from authlab.security.attack_lab import (
    EXPECT_ACCEPTED,
    EXPECT_REFUSED,
    UNREACHABLE_URL,
    Attack,
    AttackResult,
    Lab,
)
from authlab.security.carrier_attacks import malformed_carriers, oversized
from authlab.security.jwt_forge import (
    b64url,
    compact,
    public_key_secrets,
    segment,
    self_signed_x5c,
    sign,
    split,
)
from servers.config import ALGORITHMS
from servers.tokens.codec import REFRESH_TYPE
from servers.tokens.keys import key_kind


def _token_controls(lab: Lab) -> Iterator[AttackResult]:
    forger = lab.token_forger()
    yield lab.result(
        "control_forged_valid_token",
        lab.me(forger.signed()),
        "signed here with the server's key, valid claims: must be accepted, so the "
        "forged-claim probes are refused for the claim they break",
        expected=EXPECT_ACCEPTED,
    )
    # RFC 9068 and RFC 7519: forms a standard library may issue, which the server must take.
    yield lab.result(
        "control_audience_list",
        lab.me(
            forger.signed(claims=forger.fresh_claims(aud=["another-api", lab.settings.audience]))
        ),
        "aud=['another-api', ours], signed with the server key: an array holding our "
        "audience is accepted (RFC 7519 4.1.3)",
        expected=EXPECT_ACCEPTED,
    )
    yield lab.result(
        "control_media_type",
        lab.me(forger.signed(header=forger.header_with(typ="application/AT+JWT"))),
        "typ='application/AT+JWT', signed with the server key: the media-type form of at+jwt, "
        "in any case, is accepted (RFC 9068 section 4, RFC 7515 4.1.9)",
        expected=EXPECT_ACCEPTED,
    )


def _alg_none(lab: Lab) -> Iterator[AttackResult]:
    forger = lab.token_forger()
    header, claims, signature = forger.header, forger.claims, forger.signature
    for spelling in ("none", "None", "NONE", "nOnE"):
        for kept in ("", signature):
            token = forger.with_signature({**header, "alg": spelling}, claims, kept)
            how = "original signature kept" if kept else "empty signature"
            yield lab.result("alg_none", lab.me(token), f"alg={spelling!r}, {how}")
    refresh_header, refresh_claims, _ = split(lab.legit.refresh_token)
    token = forger.with_signature({**refresh_header, "alg": "none"}, refresh_claims, "")
    yield lab.result("alg_none_refresh", lab.refresh(token), "alg='none' refresh token at /refresh")


def _algorithm_confusion(lab: Lab) -> Iterator[AttackResult]:
    """HS256 keyed with the server's PUBLIC key (RFC 8725 2.1): only for public-key servers."""
    if key_kind(lab.settings.alg).symmetric:
        return
    forger = lab.token_forger()
    lab.client.cookies.clear()
    response = lab.client.get("/.well-known/jwks.json")
    keys = response.json().get("keys", []) if response.status_code == 200 else []
    if not keys:
        yield lab.result(
            "algorithm_confusion",
            response.status_code,
            "could not read a public key from /.well-known/jwks.json",
            expected=EXPECT_ACCEPTED,
            problems=["no public key to try"],
        )
        return
    for jwk in keys:
        for label, secret in public_key_secrets(jwk).items():
            for hmac_alg in ("HS256", "HS512"):
                header = forger.header_with(alg=hmac_alg, kid=jwk.get("kid"))
                token = compact(header, forger.claims, hmac_alg, secret)
                detail = f"{hmac_alg} keyed with the {label} of kid {jwk.get('kid')}"
                yield lab.result("algorithm_confusion", lab.me(token), detail)


def _wrong_keys(lab: Lab) -> Iterator[AttackResult]:
    """Signed by a key the server never made: of its own algorithm, and of every other."""
    forger = lab.token_forger()
    own = lab.attacker_key(forger.key.alg)
    token = compact(forger.header, forger.claims, own.alg, own.private)
    yield lab.result("wrong_key", lab.me(token), f"{own.alg} with the server's kid, attacker key")
    for alg in (*ALGORITHMS, "HS512", "PS256"):
        if alg == forger.key.alg:
            continue
        key = lab.attacker_key(alg)
        token = compact(forger.header_with(alg=alg), forger.claims, alg, key.private)
        yield lab.result("alg_switch", lab.me(token), f"alg={alg} with the server's kid")


def _signature_tampering(lab: Lab) -> Iterator[AttackResult]:
    forger = lab.token_forger()
    header, claims, signature = forger.header, forger.claims, forger.signature
    yield lab.result(
        "stripped_signature", lab.me(forger.with_signature(header, claims, "")), "header.payload."
    )
    _, _, other_signature = split(lab.other.credential)
    _, _, refresh_signature = split(lab.legit.refresh_token)
    for label, swapped in (
        ("another user's token", other_signature),
        ("the user's own refresh token", refresh_signature),
    ):
        token = forger.with_signature(header, claims, swapped)
        yield lab.result("signature_swap", lab.me(token), f"signature of {label}")
    tampered_claims = {
        f"sub={lab.other_username!r}": {**claims, "sub": lab.other_username},
        "roles=['admin']": {**claims, "roles": ["admin"]},
        "exp one year later": {**claims, "exp": int(claims["exp"]) + 365 * 86400},
    }
    for label, changed in tampered_claims.items():
        token = forger.with_signature(header, changed, signature)
        yield lab.result("tampered_payload", lab.me(token), f"{label}, original signature")
    tampered_headers = {
        "an extra header field": {**header, "x-tampered": True},
        "typ='JWT'": {**header, "typ": "JWT"},
    }
    for label, changed_header in tampered_headers.items():
        token = forger.with_signature(changed_header, claims, signature)
        yield lab.result("tampered_header", lab.me(token), f"{label}, original signature")
    # The same header JSON with other bytes: the signature covers bytes, not meaning.
    _, payload, _ = forger.token.split(".")
    spaced = json.dumps(header, indent=1).encode()
    token = f"{b64url(spaced)}.{payload}.{signature}"
    yield lab.result("tampered_header", lab.me(token), "header re-encoded with whitespace")
    refresh_header, refresh_claims, refresh_sig = split(lab.legit.refresh_token)
    token = forger.with_signature(
        refresh_header, {**refresh_claims, "sub": lab.other_username}, refresh_sig
    )
    yield lab.result("tampered_refresh", lab.refresh(token), "refresh token with sub changed")


def _bad_claims(lab: Lab) -> Iterator[AttackResult]:
    """Signed with the server's key (module doc): each breaks one claim rule."""
    forger = lab.token_forger()
    now = int(time.time())
    cases: dict[str, tuple[str, dict[str, Any]]] = {
        "expired": (
            "exp two minutes ago",
            forger.fresh_claims(iat=now - 600, nbf=now - 600, exp=now - 120),
        ),
        "not_yet_valid": ("nbf in one hour", forger.fresh_claims(nbf=now + 3600)),
        "issued_in_future": ("iat in one hour", forger.fresh_claims(iat=now + 3600)),
        "wrong_audience": ("aud='another-api'", forger.fresh_claims(aud="another-api")),
        # RFC 7519 4.1.3: an array is refused when it does not hold our audience (and
        # accepted when it does: the control in _token_controls).
        "wrong_audience_list": (
            "aud=['another-api', 'third-api']",
            forger.fresh_claims(aud=["another-api", "third-api"]),
        ),
        "wrong_issuer": (
            "iss='https://evil.example'",
            forger.fresh_claims(iss="https://evil.example"),
        ),
        "missing_exp": ("no exp", forger.fresh_claims(drop=["exp"])),
        "missing_jti": ("no jti", forger.fresh_claims(drop=["jti"])),
        "missing_sub": ("no sub", forger.fresh_claims(drop=["sub"])),
        "missing_iat": ("no iat", forger.fresh_claims(drop=["iat"])),
        "missing_iss": ("no iss", forger.fresh_claims(drop=["iss"])),
        "missing_aud": ("no aud", forger.fresh_claims(drop=["aud"])),
        "claim_wrong_type": ("exp as a string", forger.fresh_claims(exp=str(now + 300))),
        "claim_wrong_type_sub": ("sub as a number", forger.fresh_claims(sub=12345)),
        "claim_wrong_type_jti": ("jti as a number", forger.fresh_claims(jti=12345)),
        "claim_wrong_type_gen": ("gen as a string", forger.fresh_claims(gen="not-a-number")),
        "claim_wrong_type_roles": ("roles as a number", forger.fresh_claims(roles=7)),
        "payload_not_object": ("payload is a JSON array", [forger.fresh_claims()]),  # type: ignore[dict-item]
    }
    for attack, (detail, claims) in cases.items():
        token = forger.signed(claims=claims)
        yield lab.result(attack, lab.me(token), f"{detail}, signed with the server key")
    signing_input = f"{segment(forger.header)}.{b64url(b'not json')}"
    signature = sign(forger.key.alg, forger.key.signing_key, signing_input.encode())
    token = f"{signing_input}.{signature}"
    yield lab.result("payload_not_json", lab.me(token), "payload is not JSON, server key")
    typ_cases = {
        "typ='JWT'": forger.header_with(typ="JWT"),
        "no typ": forger.header_with(drop=["typ"]),
        f"typ={REFRESH_TYPE!r} on access claims": forger.header_with(typ=REFRESH_TYPE),
    }
    for detail, header in typ_cases.items():
        token = forger.signed(header=header)
        yield lab.result("wrong_type", lab.me(token), f"{detail}, signed with the server key")
    now = int(time.time())
    refresh_header, refresh_claims, _ = split(lab.legit.refresh_token)
    expired_refresh = forger.signed(
        header=refresh_header, claims={**refresh_claims, "iat": now - 600, "exp": now - 120}
    )
    yield lab.result(
        "expired_refresh", lab.refresh(expired_refresh), "expired refresh token at /refresh"
    )
    for label, changes in (("gen", {"gen": "x"}), ("roles", {"roles": 7})):
        odd_refresh = forger.signed(header=refresh_header, claims={**refresh_claims, **changes})
        detail = f"refresh token with {label} of a wrong type at /refresh, server key"
        yield lab.result(f"claim_wrong_type_{label}", lab.refresh(odd_refresh), detail)


def _token_type_confusion(lab: Lab) -> Iterator[AttackResult]:
    yield lab.result(
        "refresh_as_access", lab.me(lab.legit.refresh_token), "the refresh token sent as access"
    )
    yield lab.result(
        "access_at_refresh", lab.refresh(lab.legit.credential), "the access token at /refresh"
    )


def _key_headers(lab: Lab) -> Iterator[AttackResult]:
    """Header parameters that carry or point at keys, or demand extensions (RFC 8725 3.10)."""
    forger = lab.token_forger()
    attacker = lab.attacker_key(forger.key.alg)
    claims = forger.claims
    embedded = forger.header_with(drop=["kid"], jwk=attacker.public_jwk)
    yield lab.result(
        "embedded_jwk",
        lab.me(compact(embedded, claims, attacker.alg, attacker.private)),
        "jwk header with the attacker's key, no kid, signed by it",
    )
    embedded = forger.header_with(jwk=attacker.public_jwk)
    yield lab.result(
        "embedded_jwk",
        lab.me(compact(embedded, claims, attacker.alg, attacker.private)),
        "jwk header with the attacker's key and the server's kid, signed by it",
    )
    for parameter in ("jku", "x5u"):
        header = forger.header_with(**{parameter: f"{UNREACHABLE_URL}jwks.json"})
        token = compact(header, claims, attacker.alg, attacker.private)
        yield lab.result(parameter, lab.me(token), f"{parameter}={UNREACHABLE_URL}, attacker key")
        yield lab.result(
            parameter,
            lab.me(forger.signed(header=header)),
            f"{parameter}={UNREACHABLE_URL}, signed with the server key: the header alone "
            "must be refused",
        )
    # A certificate carries a public key: an HMAC attacker signs it with ES256 instead.
    certified = attacker if not key_kind(attacker.alg).symmetric else lab.attacker_key("ES256")
    header = forger.header_with(alg=certified.alg, x5c=self_signed_x5c(certified))
    token = compact(header, claims, certified.alg, certified.private)
    yield lab.result("x5c", lab.me(token), f"x5c self-signed certificate, {certified.alg}")
    for crit_header in ({"crit": ["exp"]}, {"crit": ["x-authlab-ext"], "x-authlab-ext": True}):
        token = forger.signed(header=forger.header_with(**crit_header))
        yield lab.result("crit", lab.me(token), f"crit={crit_header['crit']}, server key")


def _hostile_kid(lab: Lab) -> Iterator[AttackResult]:
    forger = lab.token_forger()
    kids: dict[str, Any] = {
        "path traversal": "../../etc/passwd",
        "SQL injection": "' OR 1=1 --",
        "very long": "k" * 2000,
        "a number": 1,
        "null": None,
        "a list": [forger.key.kid],
        "an object": {"$ne": None},
    }
    for label, kid in kids.items():
        token = forger.signed(header=forger.header_with(kid=kid))
        yield lab.result("hostile_kid", lab.me(token), f"kid is {label}, signed with server key")
    # The classic: point kid at an empty file and sign with the empty key.
    header = forger.header_with(alg="HS256", kid="../../../../../../dev/null")
    token = compact(header, forger.claims, "HS256", b"")
    yield lab.result("hostile_kid", lab.me(token), "kid=/dev/null, HS256 with an empty key")


def _malformed_tokens(lab: Lab) -> Iterator[AttackResult]:
    forger = lab.token_forger()
    head, payload, signature = forger.token.split(".")
    cases = {
        "one part": "abc",
        "two parts": f"{head}.{payload}",
        "four parts": f"{forger.token}.{signature}",
        "bad base64": "!!!.@@@.###",
        "non-JSON header": f"{b64url(b'not json')}.{payload}.{signature}",
        "header is a JSON array": f"{segment([1, 2])}.{payload}.{signature}",
        "alg is a number": f"{segment({**forger.header, 'alg': 256})}.{payload}.{signature}",
        "non-JSON payload": f"{head}.{b64url(b'not json')}.{signature}",
        "only dots": "..",
        "whitespace inside": f"{head}. {payload}.{signature}",
    }
    for label, token in cases.items():
        yield lab.result("malformed_token", lab.me(token), label)
    yield from malformed_carriers(lab)


def _token_replay_after_logout(lab: Lab) -> Iterator[AttackResult]:
    fresh = lab.login()
    logout = lab.logout(fresh)
    problems = [] if logout == 204 else [f"logout answered {logout}"]
    if lab.settings.revocation == "denylist":
        expected, detail = EXPECT_REFUSED, "access token after logout: its jti is denied"
    else:
        expected = EXPECT_ACCEPTED
        detail = (
            "access token after logout stays valid until exp with --revocation none "
            "(documented: nothing on the server knows it)"
        )
    yield lab.result("replay_after_logout", lab.me(fresh.credential), detail, expected, problems)
    yield lab.result(
        "refresh_after_logout",
        lab.refresh(fresh.refresh_token),
        "refresh token after logout: its family ended",
    )


def _refresh_reuse(lab: Lab) -> Iterator[AttackResult]:
    fresh = lab.login()
    lab.client.cookies.clear()
    rotated = lab.client.post("/refresh", json={"refresh_token": fresh.refresh_token})
    if rotated.status_code != 200:
        yield lab.result(
            "refresh_reuse_after_rotation",
            rotated.status_code,
            "a legitimate refresh",
            expected=EXPECT_ACCEPTED,
            problems=["the first, legitimate refresh failed"],
        )
        return
    next_token = str(rotated.json().get("refresh_token", ""))
    yield lab.result(
        "refresh_reuse_after_rotation",
        lab.refresh(fresh.refresh_token),
        "the refresh token used again after it was rotated",
    )
    yield lab.result(
        "refresh_family_revoked_after_reuse",
        lab.refresh(next_token),
        "the newest refresh token of the family, after a reuse was detected",
    )


TOKEN_ATTACKS: tuple[Attack, ...] = (
    _token_controls,
    _alg_none,
    _algorithm_confusion,
    _wrong_keys,
    _signature_tampering,
    _bad_claims,
    _token_type_confusion,
    _key_headers,
    _hostile_kid,
    _malformed_tokens,
    oversized,
    _token_replay_after_logout,
    _refresh_reuse,
)
