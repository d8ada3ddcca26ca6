"""A phase's latency files: Locust's workers write theirs as they quit, after their master."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from authlab.bench.phase import await_histograms


def test_the_phase_waits_for_every_workers_file_written_after_the_master_exits(
    tmp_path: Path,
) -> None:
    (tmp_path / "hdr-1.json").write_text("{}")
    late = threading.Timer(0.3, (tmp_path / "hdr-2.json").write_text, args=("{}",))
    late.start()
    await_histograms(tmp_path, processes=2)
    # Returned once the late worker's file was there, not before.
    written = (tmp_path / "hdr-2.json").exists()
    late.join()
    assert written


def test_a_worker_that_wrote_nothing_leaves_what_is_there_after_the_timeout(
    tmp_path: Path,
) -> None:
    (tmp_path / "hdr-1.json").write_text("{}")
    await_histograms(tmp_path, processes=2, timeout=0.2)
    assert [p.name for p in tmp_path.glob("hdr*.json")] == ["hdr-1.json"]


def test_one_locust_process_is_not_waited_for(tmp_path: Path) -> None:
    # It writes its file before it exits: a missing one means it failed, not that it is late.
    started = time.monotonic()
    await_histograms(tmp_path, processes=1, timeout=60.0)
    assert time.monotonic() - started < 30.0  # not the timeout
