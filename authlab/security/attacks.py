"""The bad-credential battery: every forged, malformed, replayed or oversized credential
we know of, sent over real HTTP to a running server, each answer checked.

Sources: OWASP's JSON Web Token and Session Management cheat sheets, RFC 8725
(JWT Best Current Practices) and RFC 7515 (JWS header parameters).

Each attack yields one AttackResult. After every attack the battery checks that
a legitimate credential still gets 200 from GET /me: an attack that knocks the
server over fails even when its own answer was a 4xx.

Some probes forge correctly signed tokens (expired, not yet valid, wrong aud,
iss or typ, a claim missing) or correctly signed session ids. They read the
server's key directory for that (settings.key_dir), which an attacker would not
have: they test the server's claim and store checks one at a time, not its
secrecy. Each of them is paired with a control, a token signed the same way with
valid claims, that must be ACCEPTED, so a refusal means the claim was the reason.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from itsdangerous import Signer

from authlab.security.jwt_forge import (
    AttackerKey,
    attacker_key,
    b64url,
    compact,
    public_key_secrets,
    segment,
    self_signed_x5c,
    sign,
    split,
)
from servers.config import ALGORITHMS, Settings
from servers.secrets import load_or_create_secrets
from servers.strategies.session import SESSION_SALT
from servers.tokens.codec import REFRESH_TYPE
from servers.tokens.keys import KeyRing, SigningKey, key_kind

EXPECT_REFUSED = "4xx"
EXPECT_ACCEPTED = "2xx"
UNREACHABLE_URL = "http://127.0.0.1:1/"  # port 1: nothing listens, a fetch would fail
SIZES = {"8KiB": 8 * 1024, "64KiB": 64 * 1024}


@dataclass(frozen=True)
class AttackResult:
    attack: str  # stable snake_case name
    variant: str  # e.g. "session-redis-cookie", "token-RS256-header-denylist"
    expected: str  # "4xx" (must be refused) or "2xx" (documented acceptance, controls)
    observed: int  # HTTP status seen; 0 when the connection failed
    passed: bool
    detail: str  # one line: what was sent / why


def meets(expected: str, status: int) -> bool:
    """Whether a status is what was expected; a 5xx never is, nor a dropped connection."""
    if expected == EXPECT_REFUSED:
        return 400 <= status < 500
    if expected == EXPECT_ACCEPTED:
        return 200 <= status < 300
    return str(status) == expected


def variant_name(settings: Settings) -> str:
    transport = settings.effective_transport
    if settings.variant == "session":
        return f"session-{settings.store}-{transport}"
    if settings.variant == "token":
        return f"token-{settings.alg}-{transport}-{settings.revocation}"
    return settings.variant


def run_battery(
    base_url: str, settings: Settings, username: str, password: str
) -> list[AttackResult]:
    """Register and log in `username`, then run every attack that applies to the variant.

    The baseline variant takes any username as a credential by design: there is
    nothing to attack, and the answer is an empty list.
    """
    if settings.variant == "session":
        families = SESSION_ATTACKS
    elif settings.variant == "token":
        families = TOKEN_ATTACKS
    else:
        return []
    results: list[AttackResult] = []
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        lab = Lab(client, settings, username, password)
        for family in families:
            for result in family(lab):
                results.append(lab.still_serving(result))
    return results


class BatteryError(RuntimeError):
    """The battery could not set itself up (the legitimate user cannot log in)."""


@dataclass(frozen=True)
class Login:
    credential: str  # what the transport carries
    csrf: str | None
    body: dict[str, Any]

    @property
    def refresh_token(self) -> str:
        return str(self.body.get("refresh_token", ""))


class Lab:
    """One server under attack: an HTTP client, the victim's and another user's logins."""

    def __init__(self, client: httpx.Client, settings: Settings, username: str, password: str):
        self.client = client
        self.settings = settings
        self.variant = variant_name(settings)
        self.transport = settings.effective_transport
        self.cookie_name = settings.cookie_name
        self.username = username
        self.password = password
        # A second account: whose id a tampered token claims, whose signature is swapped in,
        # and who plays the attacker planting a session id.
        self.other_username = f"{username[:56]}.other"
        self.register(username)
        self.register(self.other_username)
        self.legit = self.login()
        self.other = self.login(self.other_username)
        self._attacker_keys: dict[str, AttackerKey] = {}
        self.last_answer = ""  # the reason the server gave for the last probe's status

    # --- plumbing ------------------------------------------------------------------------

    def register(self, username: str) -> None:
        response = self.client.post(
            "/register", json={"username": username, "password": self.password}
        )
        if response.status_code not in (201, 409):
            raise BatteryError(f"register {username!r}: {response.status_code} {response.text}")

    def login_response(self, username: str, planted: str | None = None) -> httpx.Response:
        self.client.cookies.clear()
        return self.client.post(
            "/login",
            json={"username": username, "password": self.password},
            headers=self.credential_headers(planted),
        )

    def credential_of(self, response: httpx.Response) -> str:
        body: dict[str, Any] = response.json()
        if self.settings.variant == "session" and self.transport == "cookie":
            return response.cookies.get(self.cookie_name) or ""
        return str(body.get("access_token", ""))

    def login(self, username: str | None = None) -> Login:
        username = username or self.username
        response = self.login_response(username)
        if response.status_code != 200:
            raise BatteryError(f"login {username!r}: {response.status_code} {response.text}")
        body: dict[str, Any] = response.json()
        csrf = body.get("csrf_token")
        return Login(self.credential_of(response), csrf if isinstance(csrf, str) else None, body)

    def credential_headers(
        self, credential: str | None, where: str | None = None
    ) -> dict[str, str]:
        """Headers that carry a credential the way this variant reads it (or as `where` says)."""
        if credential is None:
            return {}
        if (where or self.transport) == "header":
            # HTTP forbids trailing whitespace in a header value: "Bearer " cannot be sent.
            return {"authorization": f"Bearer {credential}" if credential else ""}
        return {"cookie": f"{self.cookie_name}={credential}"}

    def status(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> int:
        """The status of one request; 0 when the connection failed (never a pass)."""
        self.client.cookies.clear()  # only what a probe sends explicitly
        self.last_answer = ""
        try:
            response = self.client.request(method, path, headers=headers, json=json_body)
        except httpx.TransportError as error:
            self.last_answer = f"connection failed: {type(error).__name__}"
            return 0
        self.last_answer = _reason_of(response)
        return response.status_code

    def me(self, credential: str | None, where: str | None = None) -> int:
        return self.status("GET", "/me", self.credential_headers(credential, where))

    def refresh(self, refresh_token: Any) -> int:
        return self.status("POST", "/refresh", json_body={"refresh_token": refresh_token})

    def logout(self, login: Login) -> int:
        headers = self.credential_headers(login.credential)
        if login.csrf:
            headers["x-csrf-token"] = login.csrf
        return self.status("POST", "/logout", headers)

    def result(
        self,
        attack: str,
        observed: int,
        detail: str,
        expected: str = EXPECT_REFUSED,
        problems: Sequence[str] = (),
    ) -> AttackResult:
        passed = meets(expected, observed) and not problems
        if self.last_answer:
            # The status argument was evaluated just before this call: this is its answer.
            detail = f"{detail} [{self.last_answer}]"
            self.last_answer = ""
        if problems:
            detail = f"{detail}; " + "; ".join(problems)
        return AttackResult(attack, self.variant, expected, observed, passed, _one_line(detail))

    def still_serving(self, result: AttackResult) -> AttackResult:
        """The attack's result, failed when a legitimate request is not served afterwards."""
        status = self.me(self.legit.credential)
        if status == 0:
            # Once, for a pooled connection the server closed after its last answer: that
            # is no refusal to serve. A server that is down fails the second try as well.
            status = self.me(self.legit.credential)
        if status == 200:
            return result
        return dataclasses.replace(
            result,
            passed=False,
            detail=f"{result.detail}; afterwards a legitimate GET /me got {status}",
        )

    def attacker_key(self, alg: str) -> AttackerKey:
        if alg not in self._attacker_keys:
            self._attacker_keys[alg] = attacker_key(alg)
        return self._attacker_keys[alg]

    # --- what the key directory gives (tests of the server's checks, see module doc) ------

    def token_forger(self) -> TokenForger:
        return TokenForger(self.settings, self.legit.credential)

    def session_signer(self) -> Signer:
        keys = load_or_create_secrets(Path(self.settings.key_dir) / "session")
        return Signer(keys, salt=SESSION_SALT)


def _reason_of(response: httpx.Response) -> str:
    """The server's own words for a refusal: "reason" (401) or "error" from the JSON body."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    return str(body.get("reason") or body.get("error") or "")


def _one_line(text: str) -> str:
    return " ".join(text.split())


Attack = Callable[[Lab], Iterator[AttackResult]]


# === tokens ===================================================================================


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
    yield from _malformed_carriers(lab)


def _oversized(lab: Lab) -> Iterator[AttackResult]:
    for label, size in SIZES.items():
        junk = "a" * size
        for where in ("header", "cookie"):
            yield lab.result("oversized", lab.me(junk, where), f"{label} credential in the {where}")
    if lab.settings.variant == "token":
        forger = lab.token_forger()
        token = forger.signed(claims=forger.fresh_claims(pad="p" * SIZES["8KiB"]))
        yield lab.result("oversized", lab.me(token), "8KiB token signed with the server key")
        yield lab.result("oversized", lab.refresh("r" * SIZES["64KiB"]), "64KiB at /refresh")


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


def _malformed_carriers(lab: Lab) -> Iterator[AttackResult]:
    """Credentials that are not even shaped like one, in the variant's transport."""
    if lab.transport == "header":
        good = lab.legit.credential
        headers = {
            "Basic scheme": "Basic dXNlcjpwYXNzd29yZA==",
            "Bearer without a credential": "Bearer",
            "two credentials": f"Bearer {good} {good}",
            "unknown scheme": f"Token {good}",
        }
        for label, value in headers.items():
            status = lab.status("GET", "/me", {"authorization": value})
            yield lab.result("malformed_authorization", status, label)
    yield lab.result("empty_credential", lab.me(""), "an empty credential")


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
    _oversized,
    _token_replay_after_logout,
    _refresh_reuse,
)


# === sessions =================================================================================


def _flip_first(text: str) -> str:
    return ("B" if text[0] == "A" else "A") + text[1:]


def _session_parts(credential: str) -> tuple[str, str]:
    """A signed id's raw id and signature (itsdangerous: id.signature)."""
    sid, _, signature = credential.rpartition(".")
    return sid, signature


def _session_control(lab: Lab) -> Iterator[AttackResult]:
    sid, _ = _session_parts(lab.legit.credential)
    resigned = lab.session_signer().sign(sid).decode("ascii")
    yield lab.result(
        "control_resigned_session_id",
        lab.me(resigned),
        "the live id signed here with the key directory's secret: must be accepted, so "
        "the signature probes are refused for the signature",
        expected=EXPECT_ACCEPTED,
    )


def _forged_session_ids(lab: Lab) -> Iterator[AttackResult]:
    sid, _ = _session_parts(lab.legit.credential)
    wrong_key = Signer(secrets.token_bytes(64), salt=SESSION_SALT)
    random_id = secrets.token_urlsafe(32)
    cases = {
        "random id signed with a wrong key": wrong_key.sign(random_id),
        "the live id signed with a wrong key": wrong_key.sign(sid),
        "the live id signed with the right key and another salt": Signer(
            load_or_create_secrets(Path(lab.settings.key_dir) / "session")
        ).sign(sid),
    }
    for label, credential in cases.items():
        yield lab.result("forged_session_id", lab.me(credential.decode("ascii")), label)
    unknown = lab.session_signer().sign(random_id).decode("ascii")
    yield lab.result(
        "unknown_session_id",
        lab.me(unknown),
        "a random id correctly signed (key directory's secret): no such session",
    )


def _session_tampering(lab: Lab) -> Iterator[AttackResult]:
    sid, signature = _session_parts(lab.legit.credential)
    _, other_signature = _session_parts(lab.other.credential)
    cases = {
        ("unsigned_session_id", "the raw id without a signature"): sid,
        ("unsigned_session_id", "the raw id with an empty signature"): f"{sid}.",
        (
            "tampered_signature",
            "first signature character changed",
        ): f"{sid}.{_flip_first(signature)}",
        (
            "tampered_session_id",
            "first id character changed, signature kept",
        ): f"{_flip_first(sid)}.{signature}",
        ("signature_swap", "another user's session signature"): f"{sid}.{other_signature}",
    }
    for (attack, label), credential in cases.items():
        yield lab.result(attack, lab.me(credential), label)


def _malformed_session_ids(lab: Lab) -> Iterator[AttackResult]:
    cases = {
        "a dot": ".",
        "dots only": "...",
        "three parts": "a.b.c",
        "not base64": "!!!.@@@",
        "a JWT": lab.legit.credential.replace(".", "") + ".eyJhbGciOiJub25lIn0.e30.",
        "percent-encoded NUL": "%00",
        # (Not a quoted id: RFC 6265 lets a cookie value be quoted, so that is the same id.)
        "a character appended": lab.legit.credential + "A",
        "a character removed": lab.legit.credential[:-1],
    }
    for label, credential in cases.items():
        yield lab.result("malformed_session_id", lab.me(credential), label)
    yield from _malformed_carriers(lab)


def _session_fixation(lab: Lab) -> Iterator[AttackResult]:
    """OWASP: a session id the client arrives with is never the one it gets at login."""
    planted_ids = {
        "a correctly signed id the attacker made up": lab.session_signer()
        .sign(secrets.token_urlsafe(32))
        .decode("ascii"),
        "the attacker's own live session": lab.login(lab.other_username).credential,
    }
    for label, planted in planted_ids.items():
        response = lab.login_response(lab.username, planted)
        problems: list[str] = []
        if response.status_code != 200:
            problems.append(f"the victim's login answered {response.status_code}")
        else:
            issued = lab.credential_of(response)
            if issued == planted or _session_parts(issued)[0] == _session_parts(planted)[0]:
                problems.append("the planted id was kept at login")
            elif lab.me(issued) != 200:
                problems.append("the id issued at login does not work")
        yield lab.result(
            "session_fixation",
            lab.me(planted),
            f"planted {label} before login, then used it",
            problems=problems,
        )


def _session_replay_after_logout(lab: Lab) -> Iterator[AttackResult]:
    fresh = lab.login()
    logout = lab.logout(fresh)
    problems = [] if logout == 204 else [f"logout answered {logout}"]
    yield lab.result(
        "replay_after_logout",
        lab.me(fresh.credential),
        f"session id after logout ({lab.settings.store} store): the record is gone",
        problems=problems,
    )


SESSION_ATTACKS: tuple[Attack, ...] = (
    _session_control,
    _forged_session_ids,
    _session_tampering,
    _malformed_session_ids,
    _oversized,
    _session_fixation,
    _session_replay_after_logout,
)
