"""The Chromium that discovery.py found (Debian's, a snap, Chrome, Playwright's own
download...), driven by Playwright through executable_path.

Playwright already drives Chromium for the report check; it cannot drive a stock
Firefox (it needs its own patched build), which is why firefox.py speaks WebDriver
BiDi itself. Chromium's DevTools protocol tells, for every request, which cookies
it attached and why it held back the others (SameSite, third-party cookie
blocking): the lab records that beside what the server says it received.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from authlab.security.browser import (
    APP_PAGE,
    NAVIGATION_TIMEOUT_S,
    AppTab,
    BrowserDidNotStart,
    BrowserName,
    BrowserUnavailable,
    Storage,
    app_page,
)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root in a container: Chromium's sandbox needs user namespaces
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Without the two-minute "Lax-allowing-unsafe" grace period: a cookie without SameSite is
# Lax from its first second, as it is in a stock Chromium once it is two minutes old.
NO_LAX_GRACE_ARGS = ["--enable-features=SameSiteDefaultChecksMethodRigorously"]


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

    def for_path(self, path: str) -> list[dict[str, list[str]]]:
        with self.lock:
            return [
                self.cookies.get(request_id, {})
                for request_id, url in self.urls.items()
                if urlsplit(url).path == path
            ]

    def clear(self) -> None:
        with self.lock:
            self.urls.clear()
            self.cookies.clear()


class Chromium:
    """Playwright's sync API over the Chromium at `path`; a second instance without the
    grace."""

    name: BrowserName = "chromium"
    driver = "Playwright (Chrome DevTools Protocol)"

    def __init__(self, path: Path) -> None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as error:
            raise BrowserUnavailable("the playwright Python package is not installed") from error
        self.path = path
        self._manager = sync_playwright()
        self._playwright: Any = None
        self._browsers: dict[bool, Any] = {}

    def __enter__(self) -> Chromium:
        self._playwright = self._manager.__enter__()
        try:
            self._browser(lax_grace=True)
        except BaseException:
            self._manager.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        # After Ctrl-C the driver may have had its SIGINT too: close what is left, quietly.
        for browser in self._browsers.values():
            with contextlib.suppress(Exception):
                browser.close()
        with contextlib.suppress(Exception):
            self._manager.__exit__(None, None, None)

    def _browser(self, lax_grace: bool) -> Any:
        from playwright.sync_api import Error

        if lax_grace not in self._browsers:
            args = CHROMIUM_ARGS + ([] if lax_grace else NO_LAX_GRACE_ARGS)
            try:
                self._browsers[lax_grace] = self._playwright.chromium.launch(
                    executable_path=str(self.path), args=args, headless=True
                )
            except Error as error:
                # Playwright's message relays the browser's own output ("[pid][err]" lines).
                raise BrowserDidNotStart(self.path, error.message) from error
        return self._browsers[lax_grace]

    @property
    def version(self) -> str:
        return f"Chromium {self._browser(True).version}"

    @contextlib.contextmanager
    def app_tab(
        self, app_origin: str, storage: Storage, exfiltration: bool = False, lax_grace: bool = True
    ) -> Iterator[ChromiumTab]:
        """A fresh browser profile (cookie jar, localStorage) with one tab on the app.

        exfiltration: let the app's page reach the attacker's collector on 127.0.0.1.
        Chromium's Local Network Access counts a page that Playwright fulfilled as
        public (it came from no address), so it would refuse the page's requests to a
        loopback address; on the internet both sites are public and nothing refuses.
        """
        context = self._browser(lax_grace).new_context()
        if exfiltration:
            context.grant_permissions(["local-network-access"], origin=app_origin)
        try:
            yield ChromiumTab(context, app_origin, storage)
        finally:
            context.close()


class ChromiumTab(AppTab):
    browser: BrowserName = "chromium"

    def __init__(self, context: Any, app_origin: str, storage: Storage) -> None:
        super().__init__(app_origin, storage)
        self.context = context
        self.page = context.new_page()
        self.page.set_default_timeout(NAVIGATION_TIMEOUT_S * 1000)
        page_html = app_page(storage)
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

    def visit(self, url: str) -> None:
        self.page.goto(url)

    def evaluate(self, function: str, argument: Any = None) -> Any:
        return self.page.evaluate(function, argument)

    def url(self) -> str:
        return str(self.page.url)

    def cookies(self) -> list[dict[str, Any]]:
        return [dict(cookie) for cookie in self.context.cookies(self.app_origin)]

    def withheld(self, path: str, cookie_name: str) -> list[str]:
        reasons: list[str] = []
        for verdict in self.verdicts.for_path(path):
            reasons.extend(verdict.get(cookie_name, []))
        return reasons

    def clear_withheld(self) -> None:
        self.verdicts.clear()

    # Playwright's sync API handles the browser's events only inside its own calls: wait with
    # them rather than by polling (page.url would never change during a time.sleep).
    def wait_for(self, predicate: str, timeout: float = NAVIGATION_TIMEOUT_S) -> None:
        self.page.wait_for_function(predicate, timeout=timeout * 1000)

    def wait_for_url(self, url: str, timeout: float = NAVIGATION_TIMEOUT_S) -> None:
        self.page.wait_for_url(url, wait_until="commit", timeout=timeout * 1000)
