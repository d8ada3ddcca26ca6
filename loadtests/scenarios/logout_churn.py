"""Logout churn: log in, make a few requests, log out; over and over."""

from __future__ import annotations

from locust import task

from loadtests.user import AuthlabUser

REQUESTS_PER_VISIT = 3


class LogoutChurnUser(AuthlabUser):
    def on_start(self) -> None:
        self.login()
        self.start_pacing()
        self.visits = 0

    @task
    def churn(self) -> None:
        if not self.credential.headers and not self.client.cookiejar:
            self.login()
            return
        self.visits += 1
        if self.visits % (REQUESTS_PER_VISIT + 1) == 0:
            self.logout()
        else:
            self.me()
