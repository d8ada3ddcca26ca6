"""The cloud experiments' users: every answer written down, for per-second figures.

Each Locust process (master or worker) appends one JSON line per answer to a file of its
own in AUTHLAB_CLOUD_EVENTS: when (time.time()), which account, which operation, which
status (0: no answer). Locust's own statistics are per-run; the experiments need what
happened second by second around a failure, and who had to log in again.

AUTHLAB_CLOUD_MIX=browse: log in once, then GET /me. A 401 means the credential stopped
working: a token user first tries its refresh token; a user whose credential is refused
for good is written down as "lost" (forced to log in again) and logs in again.
AUTHLAB_CLOUD_MIX=mixed: the same, with logins, refreshes and logouts among the GETs.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from typing import IO, Any

from locust import task

from loadtests.credentials import account_name
from loadtests.settings import SETTINGS
from loadtests.user import AuthlabUser

MIX = os.environ.get("AUTHLAB_CLOUD_MIX", "browse")
EVENTS = os.environ.get("AUTHLAB_CLOUD_EVENTS", "")
# Worker i logs in as accounts i*STRIDE, i*STRIDE+1, ...: no two workers share one.
STRIDE = int(os.environ.get("AUTHLAB_CLOUD_STRIDE", "0") or SETTINGS.users)
_log: IO[str] | None = None
_numbers = itertools.count()


def record(account: str, operation: str, status: int, **extra: Any) -> None:
    global _log
    if not EVENTS:
        return
    if _log is None:
        _log = open(  # noqa: SIM115 - one file per process, open for its whole life
            os.path.join(EVENTS, f"events-{os.getpid()}.jsonl"), "a", buffering=1
        )
    line = {"t": round(time.time(), 4), "u": account, "op": operation, "s": status, **extra}
    _log.write(json.dumps(line) + "\n")


# A token user refreshes this long before its access token expires, as a client that
# reads expires_in does: a 401 then means something broke, not an ordinary expiry. More
# than a second: exp is in whole seconds, so a token can expire up to 1 s before
# issue + expires_in.
REFRESH_MARGIN = 1.2


class CloudUser(AuthlabUser):
    def on_start(self) -> None:
        worker = int(getattr(self.environment.runner, "worker_index", 0) or 0)
        self.account = account_name(worker * STRIDE + next(_numbers) % STRIDE)
        self.expires_at = float("inf")
        self.signed_in = self._login()
        self.start_pacing()

    def wait_time(self) -> float:
        """Poisson arrivals at the planned mean rate: users in step would meet a round
        robin in the same order every turn, each landing on the same instance by chance."""
        return random.expovariate(SETTINGS.rate_per_user) if SETTINGS.rate_per_user else 0.0

    def _take(self, body: dict[str, Any]) -> None:
        self.credential.take(body)
        if "expires_in" in body:
            self.expires_at = time.monotonic() + float(body["expires_in"]) - REFRESH_MARGIN

    def _login(self) -> bool:
        self.client.cookiejar.clear()  # also HAProxy's SRV cookie: routed afresh
        self.credential.clear()
        self.expires_at = float("inf")
        body = {"username": self.account, "password": SETTINGS.password}
        status = self._send("post", "/login", json=body)
        # Which instance HAProxy pinned this user to (sticky routing), for who was where.
        pinned = next((c.value for c in self.client.cookiejar if c.name == "SRV"), None)
        record(self.account, "login", status, srv=pinned)
        return status == 200

    def _send(self, method: str, path: str, **kwargs: Any) -> int:
        """One request; its status (0: no answer), and the credential it hands out."""
        with getattr(self.client, method)(
            path, name=path, catch_response=True, **kwargs
        ) as response:
            status = int(response.status_code or 0)
            if 200 <= status < 300:
                response.success()
                if path in ("/login", "/refresh"):
                    self._take(response.json())
            else:
                response.failure(f"{path} answered {status}")
        return status

    def _lost(self) -> None:
        """The server refused the credential (401): the user must log in again."""
        record(self.account, "lost", 401)
        self.signed_in = self._login()

    def _me(self) -> None:
        status = self._send("get", "/me", headers=self.credential.headers)
        record(self.account, "me", status)
        if status == 401:
            # A token user first tries its refresh token (which may be refused too).
            if self.credential.refresh_token:
                self._refresh()
            else:
                self._lost()

    def _refresh(self) -> bool:
        """A refused refresh token (401) means logging in again; a store that does not
        answer (5xx) is tried again on the next turn, as a client would."""
        body = {"refresh_token": self.credential.refresh_token}
        status = self._send("post", "/refresh", json=body)
        record(self.account, "refresh", status)
        if status == 401:
            self._lost()
        return status == 200

    def _logout(self) -> None:
        status = self._send("post", "/logout", headers=self.credential.headers)
        record(self.account, "logout", status)
        self.signed_in = self._login()

    @task
    def act(self) -> None:
        if not self.signed_in:
            self.signed_in = self._login()
            return
        # When the store does not answer a refresh, the access token still works until it
        # expires: the user goes on with it.
        expired = self.credential.refresh_token and time.monotonic() >= self.expires_at
        if expired and (self._refresh() or not self.signed_in):
            return
        if MIX == "mixed":
            roll = random.random()
            if roll < 0.06:
                self._logout()
                return
            if roll < 0.12 and self.credential.refresh_token:
                self._refresh()
                return
        self._me()
