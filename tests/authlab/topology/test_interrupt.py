"""Ctrl-C in the middle of a cloud experiment: every process of the topology stops and
its temporary directories go, and the run keeps what it measured."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import psutil
import pytest

from tests.authlab.processes import AUTHLAB, child_environment, wait_gone, wait_until

pytestmark = pytest.mark.e2e


def test_ctrl_c_during_a_failover_leaves_nothing_behind(
    topology_parts: None, nothing_left_behind: None, tmp_path: Path
) -> None:
    bench = subprocess.Popen(
        [
            str(AUTHLAB), "bench", "--profile", "cloud", "--experiments", "cloud_failover",
            "--results", str(tmp_path), "--no-report",
        ],
        env=child_environment(), cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seen: list[psutil.Process] = []

    def topology_up() -> bool:
        """Sentinels, servers and the balancer running: the middle of the experiment."""
        seen[:] = psutil.Process(bench.pid).children(recursive=True)
        commands = []
        for process in seen:
            try:
                commands.append(" ".join(process.cmdline()))
            except psutil.Error:  # ended (or a zombie) since it was listed
                continue
        # (Sentinel renames its process: "redis-server 127.0.0.32:PORT [sentinel]".)
        return any("sentinel" in c for c in commands) and any("haproxy" in c for c in commands)

    try:
        assert wait_until(topology_up, timeout=90.0), "the topology never came up"
        bench.send_signal(signal.SIGINT)
        assert bench.wait(timeout=60) == 130
    finally:
        if bench.poll() is None:
            bench.kill()
    assert all(wait_gone(process.pid) for process in seen)
    (run,) = tmp_path.glob("*-bench-*")
    status = json.loads((run / "status.json").read_text())
    assert status["interrupted"] is True
    assert (run / "topology.json").is_file()
