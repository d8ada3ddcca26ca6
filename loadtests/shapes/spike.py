"""A spike: a steady base, a sudden burst of users, then the base again."""

from __future__ import annotations

import os

from locust import LoadTestShape


class SpikeLoad(LoadTestShape):
    base_users = int(os.environ.get("AUTHLAB_BASE_USERS", "5"))
    spike_users = int(os.environ.get("AUTHLAB_SPIKE_USERS", "40"))
    phase_seconds = float(os.environ.get("AUTHLAB_PHASE_SECONDS", "5"))

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        if elapsed < self.phase_seconds:
            return self.base_users, float(self.base_users)
        if elapsed < 2 * self.phase_seconds:
            return self.spike_users, float(self.spike_users)
        if elapsed < 3 * self.phase_seconds:
            return self.base_users, float(self.base_users)
        return None
