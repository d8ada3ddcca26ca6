"""The security lab's claims: CSRF (judged by reports.csrf, the one claim engine) and
"tokens transfer information between parties more conveniently and securely"."""

from __future__ import annotations

from typing import Any

from reports import costs, csrf
from reports.claim import (
    SECURITY,
    Verdict,
    experiment,
    security_fill,
    variants_command,
)
from reports.intervals import Interval
from reports.load import RunData
from reports.margins import Decision
from reports.metrics import (
    number,
    primitive_row,
    primitive_us,
    security_rows,
    verified_algorithms,
)
from reports.rules.ruling import Ruling, ThirdPartyVerify, withhold
from results_format import primitive_ids

# --- CSRF (security lab): judged by reports.csrf, the one claim engine ----------------


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


# --- 6. tokens transfer information between parties more conveniently and securely ----

# Asking the issuer instead of verifying: what a session lookup costs the issuer's server.
ISSUER = "session-redis"
#
# "Between parties": a third party verifies a token without asking the issuer (public-key
# verify, keys from the JWKS), and reads its claims (signed, not encrypted). Where the
# browser keeps the token is a separate question (the security lab's token_storage
# setting, in the XSS results): it does not decide this claim.


def token_attacks(run: RunData) -> list[dict[str, Any]]:
    return [
        r
        for r in security_rows(run, "attacks")
        if str(r.get("configuration", "")).startswith("token")
    ]


def public_key_verify_us(run: RunData) -> dict[str, float]:
    """Each public-key algorithm's verify, alone in-process. Public-key algorithms only:
    with an HMAC (HS*) every verifier could mint tokens."""
    asymmetric = {
        alg: primitive_us(run, primitive_ids.jwt_verify(alg))
        for alg in verified_algorithms(run)
        if not alg.startswith("HS")
    }
    return {alg: cost for alg, cost in asymmetric.items() if cost is not None}


def _verify_interval(run: RunData, alg: str) -> Interval | None:
    """The verify / ask ratio's interval, from its two ends' own: the verify's fastest and
    slowest timed batch (with 5 batches, an interval for their median holding it with
    probability 1 - 2/2^5 = 94%, whatever their distribution) and the issuer's CPU per
    request's bootstrap interval; the lowest over the highest and the highest over the
    lowest, so at least as wide as either alone."""
    row = primitive_row(run, primitive_ids.jwt_verify(alg))
    low, high = number(row.get("us_min")), number(row.get("us_max"))
    if low is None or high is None:
        return None
    _, ask = costs.estimate(run, (ISSUER,), lambda r: r[ISSUER])
    if ask is None or ask.low <= 0:
        return None
    return Interval(low / ask.high, high / ask.low, ask.repetitions, ask.batches)


def decide_tokens_transfer(run: RunData) -> ThirdPartyVerify:
    """Claim 6: refuted where the attack battery saw a token handled not as expected, or
    where a public-key verify costs more than asking the issuer; supported otherwise; not
    measured without the primitives, the issuer's cost or the attack battery."""
    measured_algs = public_key_verify_us(run)
    if not measured_algs:
        return ThirdPartyVerify(verdict=Verdict.NOT_MEASURED, missing=experiment("primitives"))
    alg, verify = min(measured_algs.items(), key=lambda item: item[1])
    # Asking the issuer instead: one authenticated request to it, at what a session
    # lookup costs the issuer's server (the cheapest way to ask "is this valid?").
    ask = costs.request_cost(run, ISSUER)
    if ask is None:
        return ThirdPartyVerify(verdict=Verdict.NOT_MEASURED, missing=variants_command(ISSUER))
    cheaper = Decision(
        f"{alg} public-key verify / asking the issuer (session-redis's CPU per request)",
        verify / ask.median,
        1.0,
        "'cheaper than asking' below this",
        interval=_verify_interval(run, alg),
    )
    attacks = token_attacks(run)
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
    ruling = ThirdPartyVerify(
        verdict=verdict,
        deciding=(cheaper,),
        missing=SECURITY if not attacks else "",
        alg=alg,
        verify_us=verify,
        attacks=len(attacks),
        mishandled=mishandled,
    )
    # A token mishandled refutes it whatever the cost; else the cost's side decides.
    return ruling if mishandled else withhold(ruling)
