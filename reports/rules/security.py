"""The security lab's claims: CSRF (judged by reports.csrf, the one claim engine) and
"tokens transfer information between parties more conveniently and securely"."""

from __future__ import annotations

from typing import Any

from reports import costs, csrf, fmt, xss
from reports.claim import (
    SECURITY,
    Claim,
    Verdict,
    experiment,
    security_fill,
    security_gap,
    variants_command,
)
from reports.load import RunData
from reports.margins import Decision
from reports.metrics import (
    primitive_us,
    security_rows,
    variants_where,
    verified_algorithms,
    wire_bytes,
)
from reports.rules import wording
from reports.rules.ruling import Ruling, ThirdPartyVerify

# --- CSRF (security lab): judged by reports.csrf, the one claim engine ----------------


def xss_lines(run: RunData) -> list[str]:
    """Where an injected script could take a working credential away (none: []), said with
    what it did everywhere: act as the user through the page, HttpOnly cookies included.
    Counted in tries (configuration x browser x where the app kept the credential)."""
    counted = xss.counts(run)
    if counted is None or not counted.read:
        return []
    places = ", ".join(f"{p.read} of {p.tries} in {p.name}" for p in counted.places)
    return [
        f"XSS: an injected script's own POST /transfer succeeded in {counted.acted} of "
        f"{counted.tries} tries (configuration x browser x storage); it read a working "
        f"credential {places}"
    ]


def decide_csrf(run: RunData, judgement: csrf.Judgement) -> Ruling:
    """A CSRF claim as reports.csrf judged it, with its deciding shares."""
    if judgement.verdict == Verdict.NOT_MEASURED:
        return Ruling(verdict=Verdict.NOT_MEASURED, missing=security_fill(run))
    return Ruling(
        verdict=Verdict(judgement.verdict),  # csrf.Judgement uses the same four words
        deciding=tuple(
            Decision(figure, value, threshold, meaning, "%")
            for figure, value, threshold, meaning in judgement.deciding
        ),
    )


def _csrf_claim(run: RunData, judgement: csrf.Judgement) -> Claim:
    return wording.csrf_claim(
        decide_csrf(run, judgement),
        judgement,
        [*judgement.evidence, *xss_lines(run)],
        because=security_gap(run),
    )


def sessions_csrf(run: RunData) -> Claim:
    return _csrf_claim(run, csrf.judge(run.security)[0])


def tokens_less_csrf(run: RunData) -> Claim:
    return _csrf_claim(run, csrf.judge(run.security)[1])


# --- 6. tokens transfer information between parties more conveniently and securely ----
#
# "Between parties": a third party verifies a token without asking the issuer (public-key
# verify, keys from the JWKS), and reads its claims (signed, not encrypted). Where the
# browser keeps the token is a separate question (the security lab's token_storage
# setting, in the XSS results): it does not decide this claim.


def _jwks_line(attacks: list[dict[str, Any]]) -> str:
    """Whether this run fetched the public keys the way a third party would (the attack
    battery reads /.well-known/jwks.json of every public-key server it attacks)."""
    fetched = [r for r in attacks if r.get("attack") == "algorithm_confusion"]
    if fetched and not any("could not read" in str(r.get("detail")) for r in fetched):
        servers = sorted({str(r.get("variant") or r.get("configuration")) for r in fetched})
        return "the public keys were fetched from /.well-known/jwks.json of " + ", ".join(servers)
    if fetched:
        return "a public-key server's /.well-known/jwks.json gave no key"
    return (
        "/.well-known/jwks.json not exercised in this run (the attack battery reads it when "
        "the lab runs a public-key token server)"
    )


def _token_attacks(run: RunData) -> list[dict[str, Any]]:
    return [
        r
        for r in security_rows(run, "attacks")
        if str(r.get("configuration", "")).startswith("token")
    ]


def _public_key_verify_us(run: RunData) -> dict[str, float]:
    """Each public-key algorithm's verify, alone in-process. Public-key algorithms only:
    with an HMAC (HS*) every verifier could mint tokens."""
    asymmetric = {
        alg: primitive_us(run, f"JWT verify {alg} ")
        for alg in verified_algorithms(run)
        if not alg.startswith("HS")
    }
    return {alg: cost for alg, cost in asymmetric.items() if cost is not None}


def decide_tokens_transfer(run: RunData) -> ThirdPartyVerify:
    """Claim 6: refuted where the attack battery saw a token handled not as expected, or
    where a public-key verify costs more than asking the issuer; supported otherwise; not
    measured without the primitives, the issuer's cost or the attack battery."""
    measured_algs = _public_key_verify_us(run)
    if not measured_algs:
        return ThirdPartyVerify(verdict=Verdict.NOT_MEASURED, missing=experiment("primitives"))
    alg, verify = min(measured_algs.items(), key=lambda item: item[1])
    # Asking the issuer instead: one authenticated request to it, at what a session
    # lookup costs the issuer's server (the cheapest way to ask "is this valid?").
    ask = costs.request_cost(run, "session-redis")
    if ask is None:
        return ThirdPartyVerify(
            verdict=Verdict.NOT_MEASURED, missing=variants_command("session-redis")
        )
    cheaper = Decision(
        f"{alg} public-key verify / asking the issuer (session-redis's CPU per request)",
        verify / ask.median,
        1.0,
        "'cheaper than asking' below this",
    )
    attacks = _token_attacks(run)
    mishandled = tuple(
        sorted(
            {f"{r.get('configuration')}: {r.get('attack')}" for r in attacks if not r.get("passed")}
        )
    )
    if not attacks:
        verdict = Verdict.NOT_MEASURED
    elif mishandled or cheaper.above:
        verdict = Verdict.REFUTED
    else:
        verdict = Verdict.SUPPORTED
    return ThirdPartyVerify(
        verdict=verdict,
        deciding=(cheaper,),
        missing=SECURITY if not attacks else "",
        alg=alg,
        verify_us=verify,
        attacks=len(attacks),
        mishandled=mishandled,
    )


def tokens_transfer_evidence(run: RunData) -> list[str]:
    measured_algs = _public_key_verify_us(run)
    evidence = [
        "a party holding only the public key verifies a token in "
        + ", ".join(f"{fmt.us(cost)} ({name})" for name, cost in measured_algs.items())
        + ", without asking the issuer"
    ]
    hs256 = primitive_us(run, "JWT verify HS256 ")
    if hs256 is not None:
        evidence.append(
            f"HS256 verifies in {fmt.us(hs256)}, but every verifier then holds the secret that "
            "mints tokens: only a public-key algorithm lets a third party verify safely"
        )
    sizes = {v: wire_bytes(run, v) for v in variants_where(run, kind="token")}
    token_sizes = sorted(size[0] for size in sizes.values() if size)
    if token_sizes:
        evidence.append(
            f"the claims ride in every request ({token_sizes[0]}-{token_sizes[-1]} B for GET "
            "/me), signed, not encrypted: readable by whoever holds the token"
        )
    ask = costs.request_cost(run, "session-redis")
    evidence.append(
        f"asking the issuer instead costs it about {fmt.us(ask.median if ask else None)} of CPU "
        "per request (session-redis), plus a network round trip"
    )
    attacks = _token_attacks(run)
    evidence.append(_jwks_line(attacks))
    if not attacks:
        return [*evidence, f"not measured: forged, altered and replayed tokens: run {SECURITY}"]
    failed = [r for r in attacks if not r.get("passed")]
    evidence.append(
        f"attack battery on tokens: {len(attacks) - len(failed)} of {len(attacks)} forged, "
        "altered or replayed tokens handled as expected"
    )
    return evidence


def tokens_transfer(run: RunData) -> Claim:
    ruling = decide_tokens_transfer(run)
    if not ruling.deciding:
        return wording.tokens_transfer(ruling, [])
    return wording.tokens_transfer(ruling, tokens_transfer_evidence(run))
