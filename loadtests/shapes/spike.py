"""A spike: a steady base, a sudden burst of users, then the base again."""

from __future__ import annotations

from locust import LoadTestShape

from loadtests.settings import SETTINGS


class SpikeLoad(LoadTestShape):
    base_users = SETTINGS.base_users
    spike_users = SETTINGS.spike_users
    phase_seconds = SETTINGS.phase_seconds

    def tick(self) -> tuple[int, float] | None:
        elapsed: float = self.get_run_time()  # type: ignore[no-untyped-call]  # Locust: unannotated
        if elapsed < self.phase_seconds:
            return self.base_users, float(self.base_users)
        if elapsed < 2 * self.phase_seconds:
            return self.spike_users, float(self.spike_users)
        if elapsed < 3 * self.phase_seconds:
            return self.base_users, float(self.base_users)
        return None
