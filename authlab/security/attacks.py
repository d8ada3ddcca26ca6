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

import httpx

from authlab.security.attack_lab import AttackResult, Lab
from authlab.security.session_attacks import SESSION_ATTACKS
from authlab.security.token_attacks import TOKEN_ATTACKS
from servers.config import Settings


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
