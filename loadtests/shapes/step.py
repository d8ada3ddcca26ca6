"""A step ramp to saturation: more users every step, each sending as fast as it can."""

from __future__ import annotations

from locust import LoadTestShape

from loadtests.settings import SETTINGS


class StepLoad(LoadTestShape):
    step_users = SETTINGS.step_users
    step_seconds = SETTINGS.step_seconds
    steps = SETTINGS.steps

    def tick(self) -> tuple[int, float] | None:
        elapsed: float = self.get_run_time()  # type: ignore[no-untyped-call]  # Locust: unannotated
        step = int(elapsed // self.step_seconds)
        if step >= self.steps:
            return None
        users = self.step_users * (step + 1)
        return users, float(users)
