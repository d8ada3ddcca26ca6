"""Probes of the carrier itself, whatever it carries: credentials that are not shaped like one,
and credentials too large for any server to read. Both batteries run them."""

from __future__ import annotations

from collections.abc import Iterator

from authlab.security.attack_lab import SIZES, AttackResult, Lab


def oversized(lab: Lab) -> Iterator[AttackResult]:
    for label, size in SIZES.items():
        junk = "a" * size
        for where in ("header", "cookie"):
            yield lab.result("oversized", lab.me(junk, where), f"{label} credential in the {where}")
    if lab.settings.variant == "token":
        forger = lab.token_forger()
        token = forger.signed(claims=forger.fresh_claims(pad="p" * SIZES["8KiB"]))
        yield lab.result("oversized", lab.me(token), "8KiB token signed with the server key")
        yield lab.result("oversized", lab.refresh("r" * SIZES["64KiB"]), "64KiB at /refresh")


def malformed_carriers(lab: Lab) -> Iterator[AttackResult]:
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
