"""Steady authenticated browsing: GET /me and POST /transfer mixed, logged in once."""

from __future__ import annotations

import random

from locust import task

from loadtests.settings import SETTINGS
from loadtests.user import AuthlabUser


class BrowsingUser(AuthlabUser):
    def on_start(self) -> None:
        self.login()
        self.start_pacing()

    @task
    def browse(self) -> None:
        if random.random() < SETTINGS.transfer_share:
            self.transfer()
        else:
            self.me()
