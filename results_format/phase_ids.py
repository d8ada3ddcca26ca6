"""The load phases' ids, as phases.csv, latency.csv, batches.csv and the raw folder name them.

The bench names its phases with these and the report finds its figures by them: a phase
renamed here is renamed on both sides.
"""

from __future__ import annotations

# The credential alone: authenticated GET /me, users logged in before the phase.
ME_CLOSED = "me-closed"  # closed loop to saturation: capacity
ME_RATE = "me-rate"  # one offered rate for every variant (open model): CPU and latency
# A realistic request mix (browsing with 20% POST /transfer, an SQL write).
FIXED_RATE = "fixed-rate"  # latency at a fixed offered rate
STEP = "step"  # a step ramp of closed-loop users to saturation
SPIKE = "spike"  # a paced base load, a burst of closed-loop users, the base again
# The lab's server and its plain twin at once, at the same offered rate each (overhead).
ME_PAIR = "me-pair"
# What is not a request of the credential check alone.
LOGIN_STORM = "login-storm"
LOGOUT_CHURN = "logout-churn"
REFRESH = "refresh"

GET_ONLY = (ME_CLOSED, ME_RATE)
MIXED = (FIXED_RATE, STEP, SPIKE)
ALL = (*GET_ONLY, *MIXED, LOGIN_STORM, LOGOUT_CHURN, REFRESH)

# Requests a phase's figures leave out: browsing users log in once at their start (the
# login storm has its own phase, which keeps them).
LEFT_OUT = ("POST /login",)
