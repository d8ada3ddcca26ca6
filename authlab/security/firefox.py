"""The Firefox that discovery.py found (Debian's firefox-esr, a snap, the macOS app),
driven over WebDriver BiDi (bidi.py) from Python.

Firefox runs as it ships, in a profile of the lab's own (a temporary folder)
holding only the preferences that keep a headless run quiet. Its cookie policy
is the stock one: network.cookie.sameSite.laxByDefault is false, so a cookie
without SameSite is sent cross-site like SameSite=None, unlike in Chromium.
Without the two-minute grace period (lax_grace=False) Firefox gets
network.cookie.sameSite.laxPlusPOST.timeout=0, the pref that ends it.

Each tab gets a user context of its own (BiDi's fresh profile: cookies and
storage apart). The app's page is provided by a BiDi network intercept at the
app's own URL; everything else goes to the real servers.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from authlab.redis_server import die_with_parent
from authlab.security.bidi import BiDiConnection
from authlab.security.browser import (
    APP_PAGE,
    AppTab,
    BrowserDidNotStart,
    BrowserName,
    Storage,
    app_page,
)

START_TIMEOUT = 30.0
# A quiet headless profile; everything about cookies stays at Firefox's defaults.
QUIET_PREFS: dict[str, object] = {
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "browser.safebrowsing.update.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
}
NO_LAX_GRACE_PREFS: dict[str, object] = {"network.cookie.sameSite.laxPlusPOST.timeout": 0}
_LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")


class _Instance:
    """One Firefox process with its own profile and BiDi session."""

    def __init__(self, path: Path, prefs: dict[str, object]) -> None:
        self.path = path
        self.profile = Path(tempfile.mkdtemp(prefix="authlab-firefox-"))
        (self.profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())
        )
        try:
            self.process = self._launch()
        except OSError as error:  # not an executable this system can run, say
            shutil.rmtree(self.profile, ignore_errors=True)
            raise BrowserDidNotStart(path, str(error)) from error
        try:
            url = self._wait_listening()
            self.bidi = BiDiConnection(f"{url}/session")
            self.capabilities = self.bidi.send("session.new", {"capabilities": {}})["capabilities"]
        except BaseException:
            self.stop()
            raise

    def _launch(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                str(self.path),
                "--headless",
                "--no-remote",
                "--profile",
                str(self.profile),
                "--remote-debugging-port=0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # A session of its own: Ctrl-C reaches the lab, which stops Firefox itself (all of
            # its processes, by process group); PR_SET_PDEATHSIG covers a SIGKILLed lab.
            start_new_session=True,
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
        )

    def _wait_listening(self) -> str:
        found: list[str] = []
        seen: list[str] = []
        stdout = self.process.stdout
        assert stdout is not None

        def read() -> None:
            # Go on draining after the match so that Firefox never blocks on a full pipe;
            # stop() closes the pipe at the end (ValueError here then).
            with contextlib.suppress(ValueError, OSError):
                for raw in stdout:
                    line = raw.decode(errors="replace")
                    seen.append(line)
                    match = _LISTENING.search(line)
                    if match and not found:
                        found.append(match.group(1))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not found:
            if self.process.poll() is not None:
                reader.join(timeout=2)  # what it printed before it exited
                raise BrowserDidNotStart(self.path, "".join(seen))
            if time.monotonic() > deadline:
                raise BrowserDidNotStart(
                    self.path,
                    f"no WebDriver BiDi address after {START_TIMEOUT:.0f} s\n" + "".join(seen),
                )
            time.sleep(0.05)
        return found[0]

    def stop(self) -> None:
        bidi = getattr(self, "bidi", None)
        if bidi is not None:
            with contextlib.suppress(Exception):
                bidi.send("browser.close", {}, timeout=5)
            bidi.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Firefox:
    """Firefox over WebDriver BiDi; a second instance without the grace period."""

    name: BrowserName = "firefox"
    driver = "WebDriver BiDi (Python client, authlab/security/bidi.py)"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._instances: dict[bool, _Instance] = {}

    def __enter__(self) -> Firefox:
        self._instance(lax_grace=True)
        return self

    def __exit__(self, *exc: object) -> None:
        for instance in self._instances.values():
            instance.stop()
        self._instances.clear()

    def _instance(self, lax_grace: bool) -> _Instance:
        if lax_grace not in self._instances:
            prefs = QUIET_PREFS | ({} if lax_grace else NO_LAX_GRACE_PREFS)
            self._instances[lax_grace] = _Instance(self.path, prefs)
        return self._instances[lax_grace]

    @property
    def version(self) -> str:
        return f"Firefox {self._instance(True).capabilities['browserVersion']}"

    @contextlib.contextmanager
    def app_tab(
        self, app_origin: str, storage: Storage, exfiltration: bool = False, lax_grace: bool = True
    ) -> Iterator[FirefoxTab]:
        """A fresh user context (cookie jar, storage) with one tab on the app.

        exfiltration needs nothing here: Firefox lets the page reach 127.0.0.1.
        """
        bidi = self._instance(lax_grace).bidi
        user_context = bidi.send("browser.createUserContext", {})["userContext"]
        try:
            tab = FirefoxTab(bidi, user_context, app_origin, storage)
            try:
                yield tab
            finally:
                tab.close()
        finally:
            with contextlib.suppress(Exception):
                bidi.send("browser.removeUserContext", {"userContext": user_context})


class FirefoxTab(AppTab):
    browser: BrowserName = "firefox"

    def __init__(
        self, bidi: BiDiConnection, user_context: str, app_origin: str, storage: Storage
    ) -> None:
        super().__init__(app_origin, storage)
        self.bidi = bidi
        self.user_context = user_context
        self.context: str = bidi.send(
            "browsingContext.create", {"type": "tab", "userContext": user_context}
        )["context"]
        self._page_html = app_page(storage)
        page_url = f"{app_origin}{APP_PAGE}"
        self._intercept: str = bidi.send(
            "network.addIntercept",
            {
                "phases": ["beforeRequestSent"],
                "urlPatterns": [{"type": "string", "pattern": page_url}],
                "contexts": [self.context],
            },
        )["intercept"]
        bidi.on("network.beforeRequestSent", self._provide_page)
        self._subscription = bidi.send(
            "session.subscribe",
            {"events": ["network.beforeRequestSent"], "contexts": [self.context]},
        ).get("subscription")

    def _provide_page(self, event: dict[str, Any]) -> None:
        if self._intercept not in (event.get("intercepts") or []) or not event.get("isBlocked"):
            return
        body = self._page_html
        self.bidi.send(
            "network.provideResponse",
            {
                "request": event["request"]["request"],
                "statusCode": 200,
                "reasonPhrase": "OK",
                "headers": [
                    {"name": "Content-Type", "value": {"type": "string", "value": "text/html"}},
                ],
                "body": {"type": "string", "value": body},
            },
        )

    def close(self) -> None:
        self.bidi.off("network.beforeRequestSent", self._provide_page)
        with contextlib.suppress(Exception):
            self.bidi.send("network.removeIntercept", {"intercept": self._intercept})
        if self._subscription:
            with contextlib.suppress(Exception):
                self.bidi.send("session.unsubscribe", {"subscriptions": [self._subscription]})
        with contextlib.suppress(Exception):
            self.bidi.send("browsingContext.close", {"context": self.context})

    def visit(self, url: str) -> None:
        self.bidi.send(
            "browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"}
        )

    def evaluate(self, function: str, argument: Any = None) -> Any:
        # The result crosses as a JSON string: BiDi's own value serialisation is richer than
        # the experiments need.
        declaration = f"async (raw) => JSON.stringify(await ({function})(JSON.parse(raw)))"
        answer = self.bidi.send(
            "script.callFunction",
            {
                "functionDeclaration": declaration,
                "arguments": [{"type": "string", "value": json.dumps(argument)}],
                "target": {"context": self.context},
                "awaitPromise": True,
                "resultOwnership": "none",
            },
        )
        if answer.get("type") == "exception":
            details = answer.get("exceptionDetails", {})
            raise RuntimeError(f"firefox: {details.get('text', details)}")
        value = answer.get("result", {}).get("value")
        return None if value is None else json.loads(value)

    def url(self) -> str:
        tree = self.bidi.send("browsingContext.getTree", {"root": self.context, "maxDepth": 0})
        return str(tree["contexts"][0]["url"])

    def cookies(self) -> list[dict[str, Any]]:
        answer = self.bidi.send(
            "storage.getCookies", {"partition": {"type": "context", "context": self.context}}
        )
        host = self.app_origin.split("://", 1)[1].split(":", 1)[0]
        return [
            {
                "name": cookie["name"],
                "value": cookie["value"].get("value"),
                "httpOnly": cookie.get("httpOnly"),
                "sameSite": cookie.get("sameSite"),
                "domain": cookie.get("domain"),
            }
            for cookie in answer.get("cookies", [])
            if cookie.get("domain", "").lstrip(".") == host
        ]
