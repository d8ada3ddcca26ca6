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
from reports.rules.wording import not_measured

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


def _csrf_claim(run: RunData, judgement: csrf.Judgement) -> Claim:
    if judgement.verdict == "not measured":
        # The run's own word first ("the browser at PATH did not start"), then the commands.
        return not_measured(
            judgement.id, judgement.claim, security_fill(run), "security", security_gap(run)
        )
    decisions = [
        Decision(figure, value, threshold, meaning, "%")
        for figure, value, threshold, meaning in judgement.deciding
    ]
    return Claim(
        judgement.id,
        judgement.claim,
        Verdict(judgement.verdict),  # csrf.Judgement uses the same four words
        judgement.condition,
        [*judgement.evidence, *xss_lines(run)],
        ["security"],
        "security",
        decisions,
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


def tokens_transfer(run: RunData) -> Claim:
    claim = "Tokens transfer information between parties more conveniently and securely."
    # Public-key algorithms only: with an HMAC (HS*) every verifier could mint tokens.
    asymmetric = {
        alg: primitive_us(run, f"JWT verify {alg} ")
        for alg in verified_algorithms(run)
        if not alg.startswith("HS")
    }
    measured_algs = {alg: cost for alg, cost in asymmetric.items() if cost is not None}
    if not measured_algs:
        return not_measured("tokens-transfer", claim, experiment("primitives"))
    alg, verify = min(measured_algs.items(), key=lambda item: item[1])
    # Asking the issuer instead: one authenticated request to it, at what a session
    # lookup costs the issuer's server (the cheapest way to ask "is this valid?").
    ask = costs.request_cost(run, "session-redis")
    if ask is None:
        return not_measured("tokens-transfer", claim, variants_command("session-redis"))
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
    decisions = [
        Decision(
            f"{alg} public-key verify / asking the issuer (session-redis's CPU per request)",
            verify / ask.median,
            1.0,
            "'cheaper than asking' below this",
        )
    ]
    evidence.append(
        f"asking the issuer instead costs it about {fmt.us(ask.median)} of CPU per request "
        "(session-redis), plus a network round trip"
    )
    attacks = [
        r
        for r in security_rows(run, "attacks")
        if str(r.get("configuration", "")).startswith("token")
    ]
    failed = [r for r in attacks if not r.get("passed")]
    evidence.append(_jwks_line(attacks))
    figures = ["bytes", "cpu"]
    source = "bench + security"
    if not attacks:
        return Claim(
            "tokens-transfer", claim, Verdict.NOT_MEASURED,
            f"'securely' needs the attack battery: {SECURITY}",
            [*evidence, f"not measured: forged, altered and replayed tokens: run {SECURITY}"],
            figures, source, decisions,
        )  # fmt: skip
    evidence.append(
        f"attack battery on tokens: {len(attacks) - len(failed)} of {len(attacks)} forged, "
        "altered or replayed tokens handled as expected"
    )
    if failed:
        names = sorted({f"{r.get('configuration')}: {r.get('attack')}" for r in failed})
        return Claim(
            "tokens-transfer", claim, Verdict.REFUTED,
            "the attack battery saw tokens handled not as expected (a forged or altered one "
            "accepted, or a valid one refused): " + ", ".join(names[:5]), evidence,
            figures, source, decisions,
        )  # fmt: skip
    if decisions[0].above:
        return Claim(
            "tokens-transfer", claim, Verdict.REFUTED,
            f"a public-key verify ({fmt.us(verify)}, {alg}) costs more than asking the issuer",
            evidence, figures, source, decisions,
        )  # fmt: skip
    condition = (
        f"a third party verifies with the public key ({alg}, {fmt.us(verify)}) without asking "
        f"the issuer, and all {len(attacks)} forged or altered tokens were refused; but the "
        "claims are signed, not encrypted (readable by whoever holds the token)"
    )
    return Claim(
        "tokens-transfer", claim, Verdict.SUPPORTED, condition, evidence, figures, source,
        decisions,
    )  # fmt: skip
