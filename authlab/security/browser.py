"""A real browser for the lab: Debian's Chromium driven by Playwright, an attacker's site,
and an app page at the app's own origin.

The app is on http://localhost:PORT and the attacker on http://127.0.0.1:OTHER:
two different SITES (two localhost ports would be the same site and prove
nothing). The app serves no HTML, so the page of the app that a single-page app
would load is handed to the browser by Playwright's request interception at a
URL of the app's origin; everything that page fetches goes to the real server.

Chromium's DevTools protocol tells, for every request, which cookies it attached
and why it held back the others (SameSite, third-party cookie blocking): the
lab records that beside what the server says it received.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from authlab.ports import free_port

CHROMIUM = Path(os.environ.get("AUTHLAB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root in a container: Chromium's sandbox needs user namespaces
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
APP_PAGE = "/__lab/app"  # intercepted: never reaches the server
NAVIGATION_TIMEOUT_MS = 15_000


class BrowserUnavailable(RuntimeError):
    pass


def browser_missing() -> str | None:
    """Why the browser part cannot run here, or None when it can."""
    if not (CHROMIUM.is_file() or shutil.which(str(CHROMIUM))):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


# --- the attacker's site ---------------------------------------------------------------

_FORM_PAGE = """<!doctype html>
<html><head><title>You won a prize</title></head><body>
<form id="f" method="POST" action="{action}">
  <input type="hidden" name="to" value="{to}">
  <input type="hidden" name="amount" value="{amount}">
</form>
<script>document.getElementById("f").submit();</script>
</body></html>
"""

_FETCH_PAGE = """<!doctype html>
<html><head><title>loading</title></head><body>
<script>
fetch({action}, {{
  method: "POST",
  credentials: "include",
  mode: "no-cors",
  body: new URLSearchParams({{to: {to}, amount: {amount}}}),
}}).then(() => {{ document.title = "done:sent"; }},
         (error) => {{ document.title = "done:error " + error; }});
</script>
</body></html>
"""


class _AttackerHandler(BaseHTTPRequestHandler):
    server: _AttackerServer

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _page(self, body: str) -> None:
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = {key: values[0] for key, values in parse_qs(url.query).items()}
        action, to, amount = params.get("action", ""), params.get("to", ""), params.get("amount")
        if url.path == "/form":
            self._page(
                _FORM_PAGE.format(
                    action=html.escape(action), to=html.escape(to), amount=html.escape(amount or "")
                )
            )
        elif url.path == "/fetch":
            self._page(
                _FETCH_PAGE.format(
                    action=json.dumps(action), to=json.dumps(to), amount=json.dumps(amount)
                )
            )
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        # /collect: where an XSS payload sends what it read (a no-cors POST).
        length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        with self.server.lock:
            self.server.collected.append({"path": self.path, "body": body})
        self.send_response(204)
        self.end_headers()


class _AttackerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _AttackerHandler)
        self.lock = threading.Lock()
        self.collected: list[dict[str, str]] = []


class AttackerSite:
    """http://127.0.0.1:PORT: auto-submitting form, no-cors fetch, and a loot collector."""

    def __init__(self) -> None:
        self._server = _AttackerServer(("127.0.0.1", free_port()))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str, **params: str | int) -> str:
        return f"{self.origin}{path}?{urlencode({k: str(v) for k, v in params.items()})}"

    def collected(self, path: str) -> list[str]:
        with self._server.lock:
            return [item["body"] for item in self._server.collected if item["path"] == path]

    def __enter__(self) -> AttackerSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# --- the app's page (a single-page app at the app's origin) -----------------------------

_APP_PAGE = """<!doctype html>
<html><head><title>authlab app</title></head><body>
<p>authlab - a page of the app, as a single-page app would ship it</p>
<script>
// The app's own code. Following the article, a header-token app keeps its token in
// localStorage and sends it itself; a cookie app leaves the credential to the browser.
const KEEPS_TOKEN = {keeps_token};
async function appLogin(username, password) {{
  const response = await fetch("/login", {{
    method: "POST",
    credentials: "same-origin",
    headers: {{"content-type": "application/json"}},
    body: JSON.stringify({{username, password}}),
  }});
  const body = await response.json();
  if (KEEPS_TOKEN && body.access_token) {{
    localStorage.setItem("access_token", body.access_token);
    if (body.refresh_token) localStorage.setItem("refresh_token", body.refresh_token);
  }}
  return {{status: response.status, keys: Object.keys(body)}};
}}
</script>
</body></html>
"""


def app_page(keeps_token: bool) -> str:
    return _APP_PAGE.format(keeps_token="true" if keeps_token else "false")


# --- what reached the server, and what the browser held back ---------------------------


def read_observed(log: Path, since: int, path: str) -> list[dict[str, Any]]:
    """Requests to `path` the server logged after byte offset `since` (servers/observe.py)."""
    if not log.exists():
        return []
    with log.open("rb") as handle:
        handle.seek(since)
        lines = handle.read().decode("utf-8", errors="replace").splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]
    return [entry for entry in entries if entry.get("path") == path]


def log_offset(log: Path) -> int:
    return log.stat().st_size if log.exists() else 0


def balance(database: Path, username: str) -> int | None:
    """The user's balance in the server's own user store (read-only)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
        row = connection.execute(
            "SELECT balance FROM users WHERE username = ?", (username,)
        ).fetchone()
    return int(row[0]) if row else None


@dataclass
class CookieVerdicts:
    """Per request id: the URL, and for each cookie the reasons Chromium withheld it."""

    urls: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_request(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.urls[event["requestId"]] = event["request"]["url"]

    def on_extra_info(self, event: dict[str, Any]) -> None:
        verdicts = {
            item["cookie"]["name"]: list(item.get("blockedReasons") or [])
            for item in event.get("associatedCookies", [])
        }
        with self.lock:
            self.cookies.setdefault(event["requestId"], {}).update(verdicts)

    def for_url_suffix(self, suffix: str) -> list[dict[str, list[str]]]:
        with self.lock:
            return [
                self.cookies.get(request_id, {})
                for request_id, url in self.urls.items()
                if urlsplit(url).path == suffix
            ]

    def clear(self) -> None:
        with self.lock:
            self.urls.clear()
            self.cookies.clear()


class Chromium:
    """Playwright's sync API over Debian's Chromium (never a browser Playwright downloads)."""

    def __init__(self) -> None:
        reason = browser_missing()
        if reason:
            raise BrowserUnavailable(reason)
        from playwright.sync_api import sync_playwright

        self._manager = sync_playwright()
        self._playwright: Any = None
        self.browser: Any = None

    def __enter__(self) -> Chromium:
        self._playwright = self._manager.__enter__()
        try:
            self.browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except BaseException:
            self._manager.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        # After Ctrl-C the driver may have had its SIGINT too: close what is left, quietly.
        with contextlib.suppress(Exception):
            if self.browser is not None:
                self.browser.close()
        with contextlib.suppress(Exception):
            self._manager.__exit__(None, None, None)

    @property
    def version(self) -> str:
        return str(self.browser.version)

    @contextlib.contextmanager
    def app_tab(
        self, app_origin: str, keeps_token: bool, exfiltration: bool = False
    ) -> Iterator[AppTab]:
        """A fresh browser profile (cookie jar, localStorage) with one tab on the app.

        exfiltration: let the app's page reach the attacker's collector on 127.0.0.1.
        Chromium's Local Network Access counts a page that Playwright fulfilled as
        public (it came from no address), so it would refuse the page's requests to a
        loopback address; on the internet both sites are public and nothing refuses.
        """
        context = self.browser.new_context()
        if exfiltration:
            context.grant_permissions(["local-network-access"], origin=app_origin)
        try:
            tab = AppTab(context, app_origin, keeps_token)
            yield tab
        finally:
            context.close()


class AppTab:
    def __init__(self, context: Any, app_origin: str, keeps_token: bool) -> None:
        self.context = context
        self.app_origin = app_origin
        self.page = context.new_page()
        self.page.set_default_timeout(NAVIGATION_TIMEOUT_MS)
        page_html = app_page(keeps_token)
        self.page.route(
            f"{app_origin}{APP_PAGE}",
            lambda route: route.fulfill(status=200, content_type="text/html", body=page_html),
        )
        self.verdicts = CookieVerdicts()
        cdp = context.new_cdp_session(self.page)
        cdp.on("Network.requestWillBeSent", self.verdicts.on_request)
        cdp.on("Network.requestWillBeSentExtraInfo", self.verdicts.on_extra_info)
        cdp.send("Network.enable")
        self._cdp = cdp
        self.logged_in_at: float | None = None

    def open_app(self) -> None:
        self.page.goto(f"{self.app_origin}{APP_PAGE}")

    def login(self, username: str, password: str) -> dict[str, Any]:
        self.open_app()
        result: dict[str, Any] = self.page.evaluate(
            "([u, p]) => appLogin(u, p)", [username, password]
        )
        self.logged_in_at = time.monotonic()
        return result

    def cookie(self, name: str) -> dict[str, Any] | None:
        for cookie in self.context.cookies(self.app_origin):
            if cookie["name"] == name:
                return dict(cookie)
        return None

    def cookie_age(self) -> float | None:
        return None if self.logged_in_at is None else time.monotonic() - self.logged_in_at
