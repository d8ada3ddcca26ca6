"""The open model's schedule, as wrk2 keeps it: request n is due at start + n / rate.

The schedule does not wait for answers, so a server that stalls for a second finds the
requests of that second already due when it comes back, and each one's latency counts from
when it was due, not from when the stalled generator got round to sending it (coordinated
omission). At rate 0 there is no schedule: a request is due when it is sent.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable


class OpenModelSchedule:
    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        phase: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._phase = phase
        self._due = clock() + phase(0, self.interval)

    def start(self) -> None:
        """Start now (after logging in, say), at a random phase of the interval, so that many
        users at one rate do not send in step."""
        self._due = self._clock() + self._phase(0, self.interval)

    def wait(self) -> float:
        """Seconds until the next request is due: 0 when it is already late."""
        if not self.interval:
            return 0.0
        self._due += self.interval
        return max(0.0, self._due - self._clock())

    def due(self) -> float:
        """When the request about to be sent was due (now, without a schedule)."""
        return self._due if self.interval else self._clock()

    def microseconds_since(self, due: float) -> float:
        return (self._clock() - due) * 1e6
