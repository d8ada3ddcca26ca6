"""The credential alone: only authenticated GET /me, with credentials logged in beforehand.

The harness logs the accounts in before the phase (authlab/bench/prelogin.py)
and hands their headers over in AUTHLAB_CREDENTIALS_FILE, so that the phase's
server CPU holds GET /me and nothing else: no login, no transfer's SQL write.
"""

from __future__ import annotations

from locust import task

from loadtests.credentials import next_prelogged_headers
from loadtests.user import AuthlabUser


class MeOnlyUser(AuthlabUser):
    def on_start(self) -> None:
        self.credential.headers.update(next_prelogged_headers())
        self.start_pacing()

    @task
    def me_only(self) -> None:
        self.me()
