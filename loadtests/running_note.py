"""The moment a phase's load runs, noted by the Locust process for the orchestrator.

Locust takes a second or more to import and start (several on a loaded machine), so the
moment a phase is asked for is not the moment its users send anything. Something timed
against the load (the outage experiment's store freeze) reads this note instead. Kept free
of Locust itself, so that the orchestrator can import it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

# The file to write the note to (unset: no note); set by the orchestrator per phase.
RUNNING_OUT_ENV = "AUTHLAB_RUNNING_OUT"


def write_running_note(path: Path, running: float, test_started: float | None) -> None:
    """`running`: when every user had been spawned (epoch seconds); `test_started`: when
    Locust's test began (its run time counts from there). The first note stands: with
    Locust workers each process hears of the same moment."""
    if path.exists():
        return
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps({"running": running, "test_started": test_started}))
    os.replace(temporary, path)  # whole or absent for a reader that polls


def read_running_note(path: Path) -> float | None:
    """When every user ran, once the Locust process has said so (None: not yet)."""
    try:
        return float(json.loads(path.read_text())["running"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


# How often an orchestrator looks whether the phase's users all run yet.
POLL_SECONDS = 0.05


def await_running(
    load_running: Callable[[], float | None], wait: Callable[[float], bool]
) -> float | None:
    """When every user ran, once `load_running` says so (read_running_note of the phase's
    file); None where `wait(seconds)`, which waits, says the phase is over first."""
    while (running := load_running()) is None:
        if wait(POLL_SECONDS):
            return None
    return running
