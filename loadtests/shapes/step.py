"""A step ramp to saturation: more users every step, each sending as fast as it can."""

from __future__ import annotations

import os

from locust import LoadTestShape


class StepLoad(LoadTestShape):
    step_users = int(os.environ.get("AUTHLAB_STEP_USERS", "8"))
    step_seconds = float(os.environ.get("AUTHLAB_STEP_SECONDS", "5"))
    steps = int(os.environ.get("AUTHLAB_STEPS", "4"))

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        step = int(elapsed // self.step_seconds)
        if step >= self.steps:
            return None
        users = self.step_users * (step + 1)
        return users, float(users)
