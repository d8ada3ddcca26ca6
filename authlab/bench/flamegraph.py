"""`authlab flamegraph VARIANT`: where one variant's server spends a GET /me, as a flame graph.

The variant starts as the benchmark starts it (its private Redis, seeded users),
its users log in beforehand, and a closed loop of authenticated GET /me runs
while py-spy samples the server process (no instrumentation in the server, so
the profile is of the server as measured). With --plain-twin the variant's
plain twin (servers/plain.py) is profiled instead: the two graphs side by side
show what the lab adds to a request.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from authlab.bench.phase import Phase, run_phase
from authlab.bench.profiles import get_profile
from authlab.bench.variant_servers import Workspace, start_variant
from authlab.bench.variants import select
from authlab.processes import ProcessGroup
from results_format import phase_ids


class FlamegraphUnavailable(Exception):
    pass


def record(variant_name: str, out: Path, seconds: int, plain_twin: bool, rate: int = 250) -> Path:
    """Profile one variant's server under a GET /me closed loop; write an SVG flame graph."""
    # The venv's own first: `.venv/bin/authlab` runs without the venv on PATH.
    beside = Path(sys.executable).parent / "py-spy"
    py_spy = str(beside) if beside.is_file() else shutil.which("py-spy")
    if py_spy is None:
        raise FlamegraphUnavailable("py-spy is not installed: `make setup` installs it")
    (variant,) = select(variant_name, ())
    profile = get_profile("smoke")
    phase = Phase(phase_ids.ME_CLOSED, "me_only", seconds, 32, prelogin=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="authlab-flame-") as work, ProcessGroup() as group:
        workspace = Workspace.fresh(Path(work))
        workspace.seed(profile.seeded_users, storm=False)
        running = start_variant(group, variant, workspace, Path(work), plain_twin=plain_twin)
        server = running.servers[0]
        # Sample for the load's length, less a second for Locust to start.
        spy = subprocess.Popen(
            [py_spy, "record", "--pid", str(server.tracked.pid), "--duration", str(seconds),
             "--rate", str(rate), "--nonblocking", "--format", "flamegraph", "--output", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            run_phase(
                group, running.target, phase, profile, Path(work) / "load", workspace.password
            )
        finally:
            _, errors = spy.communicate(timeout=seconds + 60)
            running.stop(group)
        if spy.returncode != 0 or not out.is_file():
            raise FlamegraphUnavailable(f"py-spy failed: {errors.strip()[-300:]}")
    return out
