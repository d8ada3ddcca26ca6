"""Which loopback address each "host" of a topology listens on.

Linux routes all of 127.0.0.0/8 to the loopback interface, so a process can bind
127.0.0.2 without any address being added (and none is left behind). Ports are still
picked free per address, so two runs on one machine do not collide.
"""

from __future__ import annotations

BALANCER = "127.0.0.2"
STORE_PRIMARY = "127.0.0.30"
STORE_REPLICA = "127.0.0.31"
SENTINELS = ("127.0.0.32", "127.0.0.33", "127.0.0.34")
LOCUST_MASTER = "127.0.0.40"


def instance(number: int) -> str:
    """Server instance `number` (0-based): 127.0.0.10, 127.0.0.11, ..."""
    if not 0 <= number < 20:
        raise ValueError(f"instance {number}: a topology holds 20 instances at most")
    return f"127.0.0.{10 + number}"
