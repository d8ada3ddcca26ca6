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
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from authlab.bench.derive import SPAWN_SECONDS
from authlab.bench.phase import Phase, run_phase
from authlab.bench.profiles import get_profile
from authlab.bench.variant_servers import Workspace, start_variant
from authlab.bench.variants import select
from authlab.processes import ProcessGroup
from loadtests.running_note import RUNNING_OUT_ENV, await_running, read_running_note
from results_format import phase_ids


class FlamegraphUnavailable(Exception):
    pass


# After py-spy's seconds the load goes on this long: py-spy takes a moment to attach.
TAIL_SECONDS = 1.0


def record(variant_name: str, out: Path, seconds: int, plain_twin: bool, rate: int = 250) -> Path:
    """Profile one variant's server under a GET /me closed loop; write an SVG flame graph."""
    # The venv's own first: `.venv/bin/authlab` runs without the venv on PATH.
    beside = Path(sys.executable).parent / "py-spy"
    py_spy = str(beside) if beside.is_file() else shutil.which("py-spy")
    if py_spy is None:
        raise FlamegraphUnavailable("py-spy is not installed: `make setup` installs it")
    (variant,) = select(variant_name, ())
    profile = get_profile("smoke")
    # The load runs for the users' ramp, py-spy's seconds and a tail.
    phase = Phase(
        phase_ids.ME_CLOSED, "me_only", SPAWN_SECONDS + seconds + TAIL_SECONDS, 32, prelogin=True
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="authlab-flame-") as work, ProcessGroup() as group:
        workspace = Workspace.fresh(Path(work))
        workspace.seed(profile.seeded_users, storm=False)
        running = start_variant(group, variant, workspace, Path(work), plain_twin=plain_twin)
        server = running.servers[0]
        argv = [py_spy, "record", "--pid", str(server.tracked.pid), "--duration", str(seconds),
                "--rate", str(rate), "--nonblocking", "--format", "flamegraph",
                "--output", str(out)]  # fmt: skip
        # Written by the Locust process (loadtests/running_note.py) once every user runs.
        note = Path(work) / "running.json"
        over = threading.Event()
        with ThreadPoolExecutor(max_workers=1) as pool:
            spied = pool.submit(_spy_once_loaded, argv, note, over, seconds)
            try:
                run_phase(
                    group, running.target, phase, profile, Path(work) / "load",
                    workspace.password, extra_env={RUNNING_OUT_ENV: str(note)},
                )  # fmt: skip
            finally:
                over.set()  # a load that never ran samples nothing
                done = spied.result()
                running.stop(group)
        if done is None:
            raise FlamegraphUnavailable("the load never ran: nothing was sampled")
        if done.returncode != 0 or not out.is_file():
            raise FlamegraphUnavailable(f"py-spy failed: {done.stderr.strip()[-300:]}")
    return out


def _spy_once_loaded(
    argv: list[str], note: Path, over: threading.Event, seconds: int
) -> subprocess.CompletedProcess[str] | None:
    """py-spy from the moment every user runs, not from when the load was asked for: Locust
    takes a second or more to start, several on a busy machine, and sampling from the ask
    caught the start instead of the requests (67 samples, no PyJWT, in 3 s beside other
    tests). None where the load ended before it ran."""
    if await_running(partial(read_running_note, note), over.wait) is None:
        return None
    return subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
