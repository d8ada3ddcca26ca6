"""The simulated user every scenario builds on: paced arrivals, credential handling.

Pacing is an open model per user (as wrk2 does it): request n is due at
start + n / rate whether or not request n-1 was slow, and its latency is
also recorded from when it was due. With AUTHLAB_RATE_PER_USER=0 the user
sends as fast as answers come back (for finding maximum throughput).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from locust import FastHttpUser

from loadtests import latency
from loadtests.credentials import Credential, next_account, other_account
from loadtests.pacing import OpenModelSchedule
from loadtests.settings import SETTINGS


class AuthlabUser(FastHttpUser):
    abstract = True
    # Keep-alive connections, as browsers and API clients use them.
    connection_timeout = 10.0
    network_timeout = 10.0
    # Whose accounts this user logs in with: None for AUTHLAB_USER_PREFIX's.
    accounts: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = next_account(self.accounts)
        self.credential = Credential()
        self.schedule = OpenModelSchedule(SETTINGS.rate_per_user)
        self._targets: Iterator[str] | None = (
            itertools.cycle(SETTINGS.targets) if SETTINGS.targets else None
        )

    def start_pacing(self) -> None:
        """Start the schedule now (after logging in), at a random phase of the interval."""
        self.schedule.start()

    def wait_time(self) -> float:
        return self.schedule.wait()

    def url(self, path: str) -> str:
        """With several server instances (scale-out) each request goes to the next one."""
        return f"{next(self._targets)}{path}" if self._targets else path

    @contextmanager
    def due(self, name: str) -> Iterator[None]:
        """Record the latency from when this request was due (open model)."""
        due = self.schedule.due()
        try:
            yield
        finally:
            latency.record_corrected(name, self.schedule.microseconds_since(due))

    # --- the API, one method per endpoint ------------------------------------------------

    def login(self) -> bool:
        self.client.cookiejar.clear()
        self.credential.clear()
        with (
            self.due("POST /login"),
            self.client.post(
                self.url("/login"),
                json={"username": self.account, "password": SETTINGS.password},
                name="/login",
                catch_response=True,
            ) as response,
        ):
            if response.status_code != 200:
                response.failure(f"login answered {response.status_code}")
                return False
            self.credential.take(response.json())
            return True

    def me(self) -> None:
        with self.due("GET /me"):
            self.client.get(self.url(SETTINGS.me_path), headers=self.credential.headers, name="/me")

    def transfer(self) -> None:
        body = {"to": other_account(self.account), "amount": 1}
        with self.due("POST /transfer"):
            self.client.post(
                self.url("/transfer"), json=body, headers=self.credential.headers, name="/transfer"
            )

    def logout(self) -> None:
        with self.due("POST /logout"):
            self.client.post(self.url("/logout"), headers=self.credential.headers, name="/logout")
        self.client.cookiejar.clear()
        self.credential.clear()

    def refresh(self) -> None:
        if not self.credential.refresh_token:
            self.login()
            return
        with (
            self.due("POST /refresh"),
            self.client.post(
                self.url("/refresh"),
                json={"refresh_token": self.credential.refresh_token},
                name="/refresh",
                catch_response=True,
            ) as response,
        ):
            if response.status_code == 200:
                self.credential.take(response.json())
            else:
                response.failure(f"refresh answered {response.status_code}")
                self.credential.clear()
