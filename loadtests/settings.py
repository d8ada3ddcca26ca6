"""What the orchestrator tells the Locust processes, through environment variables: the one
place a scenario or a shape reads its parameters from."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadSettings:
    transport: str  # cookie | header: where the credential rides
    users: int  # seeded accounts user000000 .. user{users-1}
    user_prefix: str
    # The login storm's accounts (OWASP's hash) where one Locust runs every scenario
    # (`authlab explore`); a benchmark phase names its accounts in user_prefix alone.
    storm_prefix: str
    password: str
    rate_per_user: float  # requests per second per simulated user (open model)
    hdr_out: str | None  # where to write exact latency histograms at the end
    targets: tuple[str, ...]  # extra base URLs (scale-out): requests rotate over them
    transfer_share: float  # share of POSTs in the browsing mix
    credentials_file: str | None  # headers of accounts logged in before the phase
    me_path: str  # the authenticated GET (a server outside the lab may serve it elsewhere)
    # The step shape: step_users more users every step_seconds, steps times.
    step_users: int
    step_seconds: float
    steps: int
    # The spike shape: base_users, then spike_users, then base_users, phase_seconds each.
    base_users: int
    spike_users: int
    phase_seconds: float

    @classmethod
    def from_environment(cls) -> LoadSettings:
        targets = os.environ.get("AUTHLAB_TARGETS", "")
        user_prefix = os.environ.get("AUTHLAB_USER_PREFIX", "user")
        return cls(
            transport=os.environ.get("AUTHLAB_TRANSPORT", "cookie"),
            users=int(os.environ.get("AUTHLAB_USERS", "100")),
            user_prefix=user_prefix,
            storm_prefix=os.environ.get("AUTHLAB_STORM_PREFIX") or user_prefix,
            password=os.environ.get("AUTHLAB_PASSWORD", "authlab-load-password"),
            rate_per_user=float(os.environ.get("AUTHLAB_RATE_PER_USER", "10")),
            hdr_out=os.environ.get("AUTHLAB_HDR_OUT") or None,
            targets=tuple(t for t in targets.split(",") if t),
            transfer_share=float(os.environ.get("AUTHLAB_TRANSFER_SHARE", "0.2")),
            credentials_file=os.environ.get("AUTHLAB_CREDENTIALS_FILE") or None,
            me_path=os.environ.get("AUTHLAB_ME_PATH") or "/me",
            step_users=int(os.environ.get("AUTHLAB_STEP_USERS", "8")),
            step_seconds=float(os.environ.get("AUTHLAB_STEP_SECONDS", "5")),
            steps=int(os.environ.get("AUTHLAB_STEPS", "4")),
            base_users=int(os.environ.get("AUTHLAB_BASE_USERS", "5")),
            spike_users=int(os.environ.get("AUTHLAB_SPIKE_USERS", "40")),
            phase_seconds=float(os.environ.get("AUTHLAB_PHASE_SECONDS", "5")),
        )


SETTINGS = LoadSettings.from_environment()
