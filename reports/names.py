"""Configurations named in words a backend engineer uses, from what the run says they are
(the manifest's variant descriptions, the security lab's configurations), not lab ids."""

from __future__ import annotations

from typing import Any

from reports.load import RunData

# Settings' store names (an older folder's are renamed by results_format.upgrade).
_STORES = {"redis": "Redis", "memory": "process memory", "sql": "SQLite"}


def variant_words(run: RunData, name: str) -> str:
    """'session-redis' -> 'a session in Redis'; 'token-hs256-denylist' -> 'a JWT (HS256)
    with a deny list'."""
    info = run.variant_info(name)
    kind = info.get("kind")
    if kind == "baseline":
        return "no credential check"
    if kind == "session":
        where = _STORES.get(str(info.get("store")), str(info.get("store")))
        text = f"a session in {where}"
        if info.get("transport") == "header":
            text += " (its id as a Bearer header)"
        return text
    if kind == "token":
        text = f"a JWT ({info.get('alg') or 'HS256'})"
        if info.get("state") == "client+server":
            text += " with a deny list"
        if info.get("transport") == "cookie":
            text += " in a cookie"
        return text
    return name


def configuration_words(config: dict[str, Any]) -> str:
    """A security-lab configuration: 'a session cookie, SameSite=None, no CSRF check'."""
    kind = "session" if config.get("variant") == "session" else "JWT"
    if config.get("transport") != "cookie":
        text = f"a {kind} in a header"
        if config.get("revocation") == "denylist":
            text += " with a deny list"
        return text
    samesite = str(config.get("samesite") or "unset")
    check = "a CSRF check" if config.get("csrf") else "no CSRF check"
    spelled = {"none": "None", "lax": "Lax", "strict": "Strict"}.get(samesite, "unset")
    return f"a {kind} cookie, SameSite={spelled}, {check}"


def short_words(run: RunData, name: str) -> str:
    """Without the article, for figures: 'session in Redis', 'JWT (HS256)'."""
    return variant_words(run, name).removeprefix("a ")
