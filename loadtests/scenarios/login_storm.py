"""Login storm: every request is a login, so every request pays for password hashing."""

from __future__ import annotations

from locust import task

from loadtests.user import AuthlabUser


class LoginStormUser(AuthlabUser):
    @task
    def storm(self) -> None:
        self.login()
