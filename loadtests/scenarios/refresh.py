"""Token refresh: the access token is renewed through the refresh token, then used."""

from __future__ import annotations

from locust import task

from loadtests.user import AuthlabUser


class RefreshUser(AuthlabUser):
    def on_start(self) -> None:
        self.login()
        self.start_pacing()
        self.turn = 0

    @task
    def refresh_then_use(self) -> None:
        self.turn += 1
        if self.turn % 2:
            self.refresh()
        else:
            self.me()
