"""The first screen: is there a difference between session and token? Three to five plain
sentences assembled from the computed verdicts and the run's data; nothing typed in.

Each sentence says what was measured, or names the command that measures it."""

from __future__ import annotations

from reports import csrf
from reports.claim import SECURITY, Claim, experiment, security_command
from reports.load import RunData
from reports.metrics import STORAGES, base_configuration, number, security_rows, xss_by_storage


def _by_id(claims: list[Claim]) -> dict[str, Claim]:
    return {claim.id: claim for claim in claims}


def revocation_sentence(run: RunData) -> str:
    """What logout ended at once, and what kept working until its exp (logout rows)."""
    rows = [r for r in security_rows(run, "revocation") if r.get("event", "logout") == "logout"]
    if not rows:
        return f"Revocation was not measured with this run: {SECURITY}."
    info = {str(c.get("name")): c for c in (run.security or {}).get("configurations", [])}
    ended: set[str] = set()
    lingering = []
    for row in rows:
        name = base_configuration(str(row.get("configuration")))
        config = info.get(name, {})
        kind = str(config.get("variant") or name.split("-")[0])
        if config.get("revocation") == "denylist" or "denylist" in name:
            kind = "deny-listed token"
        if row.get("bounded_by") == "immediate":
            ended.add(kind)
        else:
            lingering.append(row)
    text = f"At logout, {' and '.join(sorted(ended)) or 'no'} credentials ended at once"
    if not lingering:
        return text + "."
    longest = max(number(r.get("works_for_s")) or 0.0 for r in lingering)
    lifetime = max(number(r.get("credential_lifetime_s")) or 0.0 for r in lingering)
    names = sorted({base_configuration(str(r.get("configuration"))) for r in lingering})
    return (
        f"{text}; a token without a deny list ({', '.join(names)}) kept working up to "
        f"{longest:.1f} s, until its exp"
        + (f" ({lifetime:.0f} s lifetime in the lab)" if lifetime else "")
        + "."
    )


def csrf_xss_sentence(run: RunData) -> str:
    if not csrf.rows(run.security, "csrf_browser"):
        return f"CSRF and XSS were not measured with this run: {security_command(run)}."
    settings, found = csrf.exploited_by_browser(run.security or {})
    parts = []
    for browser, per in sorted(found.items()):
        cookie = [n for n in per if settings[n].transport == "cookie"]
        header = [n for n in per if settings[n].transport != "cookie"]
        hit_cookie = [n for n in cookie if per[n]]
        hit_header = [n for n in header if per[n]]
        kinds = sorted({settings[n].variant for n in hit_cookie})
        parts.append(
            f"in {browser} a forged cross-site transfer succeeded against {len(hit_cookie)} of "
            f"{len(cookie)} cookie configurations"
            + (f" ({' and '.join(kinds)} alike)" if len(kinds) > 1 else "")
            + f" and {len(hit_header)} of {len(header)} header ones"
        )
    text = "CSRF follows cookie vs header, not session vs token: " + "; ".join(parts)
    split = csrf.disagreements(run.security or {})
    if split:
        text += "; the browsers disagree on " + "; ".join(split)
    text += "."
    storages = xss_by_storage(run)
    if not storages:
        return text
    told = [
        f"{len(stolen)} of {len(stolen) + len(kept)} configurations that kept it in {place}"
        for place, (stolen, kept) in storages.items()
    ]
    missing = [s for s in STORAGES[:2] if s not in storages]
    text += " XSS follows where the token is kept: an injected script got a working token in "
    text += " and in ".join(told)
    if missing:
        text += f" (a header token kept in {' or '.join(missing)}: not measured, the security "
        text += "lab's token_storage setting)"
    return text + "."


def sentences(run: RunData, claims: list[Claim]) -> list[str]:
    """Per request and under growth; in failure; in revocation; CSRF and XSS."""
    found = _by_id(claims)
    heavy = found.get("sessions-heavy")
    robust = found.get("tokens-robust")
    lines = [
        heavy.sentence
        if heavy and heavy.sentence
        else "The cost per request was not measured: " + (heavy.condition if heavy else "-") + ".",
        robust.sentence
        if robust and robust.sentence
        else f"Failure of the store was not measured: run {experiment('outage')}.",
        revocation_sentence(run),
        csrf_xss_sentence(run),
    ]
    return [fmt_sentence(line) for line in lines if line]


def fmt_sentence(text: str) -> str:
    text = text.strip()
    return text[0].upper() + text[1:] if text else text
