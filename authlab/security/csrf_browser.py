"""CSRF in a real browser: log in on the app, then visit the attacker's site.

For every configuration Chromium logs a victim in at http://localhost:PORT (the
app page's own fetch to /login, so the browser stores the cookie as it would
for a real app), then opens pages on http://127.0.0.1:OTHER, another site:

- form: a page that auto-submits an HTML form POST to /transfer (a top-level
  cross-site navigation: the one case where SameSite=Lax still matters);
- fetch: a page that calls fetch(/transfer, {credentials: "include",
  mode: "no-cors"}) (a cross-site subresource request);
- form_aged (full runs only, SameSite unset): the form again, with a cookie
  more than two minutes old.

Each vector sends its own amount, so the attacker's balance in the server's
user store tells which one moved money. What the server received (Sec-Fetch-
Site, Origin, the names of the cookies) comes from its request log; why
Chromium held a cookie back comes from the DevTools protocol.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from authlab.security.browser import (
    AppTab,
    AttackerSite,
    balance,
    log_offset,
    read_observed,
)
from authlab.security.fleet import LabServer

AMOUNTS = {"form": 7, "fetch": 11, "form_aged": 5}
# Chromium sends a cookie set without SameSite on top-level cross-site POSTs while it
# is younger than two minutes ("Lax-allowing-unsafe"), then treats it as Lax.
LAX_ALLOWING_UNSAFE_WINDOW = 120.0
AGED_MARGIN = 5.0
PASSWORD = "correct horse battery staple"
OBSERVE_WAIT = 5.0

NOTES = [
    "SameSite unset: Chromium treats a cookie without a SameSite attribute as Lax, except "
    "that for its first two minutes it is still sent on top-level cross-site POSTs "
    "('Lax-allowing-unsafe', kept so that sign-in flows that POST back across sites survive). "
    "A freshly logged-in victim is therefore as exposed as with SameSite=None for two "
    "minutes; the row 'form_aged' repeats the attack with a cookie older than that.",
    "fetch no-cors: this Chromium withholds every cookie of the app from a cross-site "
    "subresource request, SameSite=None included (DevTools blocked reason "
    "'UserPreferences': third-party cookies are blocked in its default profile). Browsers "
    "or profiles that allow third-party cookies would send the SameSite=None cookie; only "
    "the CSRF check would then stand in the way.",
    "A cross-site form POST cannot set an Authorization header, and the attacker's page "
    "cannot read the app's localStorage: a token in a header is never sent by the browser "
    "on its own, so there is nothing to forge.",
]


@dataclass
class Accounts:
    victim: str
    attacker: str


def register_accounts(server: LabServer) -> Accounts:
    accounts = Accounts(server.user("victim"), server.user("mallory"))
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for name in (accounts.victim, accounts.attacker):
            response = client.post("/register", json={"username": name, "password": PASSWORD})
            if response.status_code not in (201, 409):
                raise RuntimeError(f"register {name} on {server.name}: {response.text}")
    return accounts


def log_in(tab: AppTab, server: LabServer, accounts: Accounts) -> None:
    result = tab.login(accounts.victim, PASSWORD)
    if result.get("status") != 200:
        raise RuntimeError(f"browser login on {server.name} answered {result}")
    cookie_name = server.config.cookie_name
    if cookie_name and tab.cookie(cookie_name) is None:
        raise RuntimeError(f"the browser kept no {cookie_name} cookie on {server.name}")


def expected_cookie_sent(server: LabServer, vector: str, cookie_age: float | None) -> bool:
    config = server.config
    if not config.ambient or vector == "fetch":
        # fetch: third-party cookies are blocked in this Chromium's default profile (NOTES).
        return False
    if config.samesite == "none":
        return True
    if config.samesite == "unset":
        return cookie_age is not None and cookie_age < LAX_ALLOWING_UNSAFE_WINDOW
    return False


def _wait_observed(server: LabServer, since: int) -> dict[str, Any] | None:
    deadline = time.monotonic() + OBSERVE_WAIT
    while time.monotonic() < deadline:
        seen = read_observed(server.observe_log, since, "/transfer")
        if seen:
            return seen[-1]
        time.sleep(0.05)
    return None


def attack(
    tab: AppTab, server: LabServer, site: AttackerSite, accounts: Accounts, vector: str
) -> dict[str, Any]:
    """One cross-site attempt at /transfer; what happened, beside what was expected."""
    amount = AMOUNTS[vector]
    action = f"{server.browser_url}/transfer"
    before = balance(server.database_path, accounts.attacker)
    since = log_offset(server.observe_log)
    cookie_age = tab.cookie_age()
    tab.verdicts.clear()
    page = tab.page
    if vector == "fetch":
        page.goto(site.url("/fetch", action=action, to=accounts.attacker, amount=amount))
        page.wait_for_function("document.title.startsWith('done')")
        browser_outcome = page.title()
    else:
        page.goto(site.url("/form", action=action, to=accounts.attacker, amount=amount))
        page.wait_for_url(action, wait_until="commit")
        browser_outcome = "navigated to /transfer"
    observed = _wait_observed(server, since)
    after = balance(server.database_path, accounts.attacker)
    delta = (after or 0) - (before or 0)
    cookie_name = server.config.cookie_name
    cookie_sent = bool(cookie_name and observed and cookie_name in observed["cookies"])
    withheld: list[str] = []
    if cookie_name:
        for verdict in tab.verdicts.for_url_suffix("/transfer"):
            withheld.extend(verdict.get(cookie_name, []))
    expected_sent = expected_cookie_sent(server, vector, cookie_age)
    expected_exploitable = expected_sent and not server.config.csrf
    transfer_happened = delta == amount
    passed = transfer_happened == expected_exploitable and cookie_sent == expected_sent
    server_saw = (
        {
            key: observed.get(key)
            for key in ("sec_fetch_site", "sec_fetch_mode", "origin", "cookies", "status")
        }
        if observed
        else None
    )
    return {
        "configuration": server.name,
        "vector": vector,
        "cookie_age_s": None if cookie_age is None else round(cookie_age, 1),
        "expected_cookie_sent": expected_sent,
        "expected_exploitable": expected_exploitable,
        "cookie_sent": cookie_sent,
        "withheld_because": sorted(set(withheld)),
        "server_saw": server_saw,
        "transfer_happened": transfer_happened,
        "balance_delta": delta,
        "passed": passed,
        "detail": _detail(server, observed, cookie_sent, transfer_happened, withheld)
        + f"; browser: {browser_outcome}",
    }


def _detail(
    server: LabServer,
    observed: dict[str, Any] | None,
    cookie_sent: bool,
    transfer_happened: bool,
    withheld: list[str],
) -> str:
    if observed is None:
        return "the request never reached the server"
    status = observed.get("status")
    if transfer_happened:
        return f"EXPLOITED: the transfer went through ({status})"
    if not server.config.ambient:
        return f"no credential rides along (header transport): {status}"
    if not cookie_sent:
        reasons = ", ".join(sorted(set(withheld))) or "not stored"
        return f"cookie not sent ({reasons}): {status}"
    return f"cookie sent, refused by the CSRF check: {status}"


def run_fresh(
    tab: AppTab, server: LabServer, site: AttackerSite, accounts: Accounts
) -> list[dict[str, Any]]:
    """Log in, then the fetch and the form attack (fetch first: the form navigates away)."""
    log_in(tab, server, accounts)
    results = [attack(tab, server, site, accounts, "fetch")]
    # The form attack needs the victim's cookie young as well (the two-minute window).
    results.append(attack(tab, server, site, accounts, "form"))
    return results
