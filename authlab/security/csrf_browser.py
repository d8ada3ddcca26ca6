"""CSRF in real browsers: log in on the app, then visit the attacker's site.

For every configuration and every browser (Chromium, Firefox) the browser logs a
victim in at http://localhost:PORT (the app page's own fetch to /login, so the
browser stores the cookie as it would for a real app), then opens pages on
http://127.0.0.1:OTHER, another site:

- form: a page that auto-submits an HTML form POST to /transfer (a top-level
  cross-site navigation: the one case where SameSite=Lax still matters);
- fetch: a page that calls fetch(/transfer, {credentials: "include",
  mode: "no-cors"}) (a cross-site subresource request);
- form_aged (SameSite unset): the form again, with a cookie older than the
  two-minute grace period: for real in full runs (the lab waits), emulated in
  quick runs by a browser started without the grace period; the row says which.

Each vector sends its own amount, so the attacker's balance in the server's
user store tells which one moved money. What the server received (Sec-Fetch-
Site, Origin, the names of the cookies) comes from its request log; why
Chromium held a cookie back comes from the DevTools protocol (Firefox's BiDi
does not say).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from authlab.security.browser import (
    AppTab,
    AttackerSite,
    BrowserName,
    balance,
    log_offset,
    read_observed,
)
from authlab.security.lab_servers import LabServer

AMOUNTS = {"form": 7, "fetch": 11, "form_aged": 5}
# Chromium sends a cookie set without SameSite on top-level cross-site POSTs while it
# is younger than two minutes ("Lax-allowing-unsafe"), then treats it as Lax.
LAX_ALLOWING_UNSAFE_WINDOW = 120.0
AGED_MARGIN = 5.0
PASSWORD = "correct horse battery staple"
OBSERVE_WAIT = 5.0

Aged = Literal["real", "emulated"]

NOTES: dict[str, list[str]] = {
    "all": [
        "A cross-site form POST cannot set an Authorization header, and the attacker's page "
        "cannot read the app's storage: a credential in a header (a JWT or the session id "
        "as a Bearer token) is never sent by the browser on its own, so there is nothing "
        "to forge.",
    ],
    "chromium": [
        "SameSite unset: Chromium treats a cookie without a SameSite attribute as Lax, "
        "except that for its first two minutes it is still sent on top-level cross-site "
        "POSTs ('Lax-allowing-unsafe', kept so that sign-in flows that POST back across "
        "sites survive). A freshly logged-in victim is therefore as exposed as with "
        "SameSite=None for two minutes; 'form_aged' repeats the attack with a cookie older "
        "than that (emulated in quick runs with the SameSiteDefaultChecksMethodRigorously "
        "feature, which ends the grace period).",
        "fetch no-cors: Chromium withholds every cookie of the app from a cross-site "
        "subresource request, SameSite=None included (DevTools blocked reason "
        "'UserPreferences': third-party cookies are blocked in its default profile).",
    ],
    "firefox": [
        "SameSite unset: Firefox ESR does not apply Lax by default "
        "(network.cookie.sameSite.laxByDefault is false), so a cookie without SameSite "
        "rides a cross-site form POST like SameSite=None, at any age: the two-minute grace "
        "period (network.cookie.sameSite.laxPlusPOST.timeout) only matters once Lax is the "
        "default.",
        "fetch no-cors: Firefox's default Total Cookie Protection "
        "(network.cookie.cookieBehavior=5) partitions third-party cookies, so the app's "
        "cookie set first-party is not in the jar a cross-site subresource request uses, "
        "SameSite=None included (with cookieBehavior=0 the SameSite=None cookie does ride "
        "it: checked by hand).",
    ],
}


def notes_for(browsers: list[BrowserName]) -> list[str]:
    names = {"chromium": "Chromium", "firefox": "Firefox"}
    return NOTES["all"] + [f"{names[b]}: {note}" for b in browsers for note in NOTES[b]]


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


def expected_cookie_sent(
    server: LabServer,
    vector: str,
    cookie_age: float | None,
    browser: BrowserName = "chromium",
    lax_grace: bool = True,
) -> bool:
    """Whether a stock browser attaches the credential cookie to this cross-site request."""
    config = server.config
    if not config.ambient or vector == "fetch":
        # fetch: third-party cookies are blocked (Chromium) or partitioned (Firefox) (NOTES).
        return False
    if config.samesite == "none":
        return True
    if config.samesite == "unset":
        if browser == "firefox":
            return True  # not Lax by default: an unset SameSite is sent like None
        return lax_grace and cookie_age is not None and cookie_age < LAX_ALLOWING_UNSAFE_WINDOW
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
    tab: AppTab,
    server: LabServer,
    site: AttackerSite,
    accounts: Accounts,
    vector: str,
    aged: Aged | None = None,
) -> dict[str, Any]:
    """One cross-site attempt at /transfer; what happened, beside what was expected.

    aged: for form_aged, whether the cookie is really past two minutes ("real") or the
    browser runs without the grace period ("emulated").
    """
    amount = AMOUNTS[vector]
    action = f"{server.browser_url}/transfer"
    before = balance(server.database_path, accounts.attacker)
    since = log_offset(server.observe_log)
    cookie_age = tab.cookie_age()
    tab.clear_withheld()
    if vector == "fetch":
        tab.visit(site.url("/fetch", action=action, to=accounts.attacker, amount=amount))
        tab.wait_for("document.title.startsWith('done')")
        browser_outcome = tab.title()
    else:
        tab.visit(site.url("/form", action=action, to=accounts.attacker, amount=amount))
        tab.wait_for_url(action)
        browser_outcome = "navigated to /transfer"
    observed = _wait_observed(server, since)
    after = balance(server.database_path, accounts.attacker)
    delta = (after or 0) - (before or 0)
    cookie_name = server.config.cookie_name
    cookie_sent = bool(cookie_name and observed and cookie_name in observed["cookies"])
    withheld = tab.withheld("/transfer", cookie_name) if cookie_name else []
    expected_sent = expected_cookie_sent(
        server, vector, cookie_age, tab.browser, lax_grace=aged != "emulated"
    )
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
        "browser": tab.browser,
        "vector": vector,
        "aged": aged,
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
        # Chromium names its reasons (DevTools); Firefox's BiDi gives none.
        reasons = ", ".join(sorted(set(withheld))) or "no reason given by the browser"
        return f"cookie not sent ({reasons}): {status}"
    return f"cookie sent, refused by the CSRF check: {status}"


def run_emulated_aged(
    tab: AppTab, server: LabServer, site: AttackerSite, accounts: Accounts
) -> dict[str, Any]:
    """form_aged in a browser without the grace period (tab opened with lax_grace=False)."""
    log_in(tab, server, accounts)
    return attack(tab, server, site, accounts, "form_aged", aged="emulated")


def run_fresh(
    tab: AppTab, server: LabServer, site: AttackerSite, accounts: Accounts
) -> list[dict[str, Any]]:
    """Log in, then the fetch and the form attack (fetch first: the form navigates away)."""
    log_in(tab, server, accounts)
    results = [attack(tab, server, site, accounts, "fetch")]
    # The form attack needs the victim's cookie young as well (the two-minute window).
    results.append(attack(tab, server, site, accounts, "form"))
    return results
