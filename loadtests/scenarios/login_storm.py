"""Login storm: every request is a login, so every request pays for password hashing."""

from __future__ import annotations

from locust import task

from loadtests.settings import SETTINGS
from loadtests.user import AuthlabUser


class LoginStormUser(AuthlabUser):
    accounts = SETTINGS.storm_prefix

    @task
    def storm(self) -> None:
        self.login()
