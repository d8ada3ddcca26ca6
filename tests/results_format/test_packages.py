"""The packages a run records: those on the request path are runtime dependencies, pinned."""

from __future__ import annotations

from authlab.dependency_lock import read_locks, read_pins
from results_format.packages import LAB_TOOLS, RECORDED, REQUEST_PATH


def test_every_package_on_the_request_path_is_pinned_by_the_runtime_lock() -> None:
    # A run's figures move with these versions: each must be one the lock fixes.
    pins = read_pins(read_locks()["runtime"])
    assert [name for name in REQUEST_PATH if name not in pins] == []


def test_the_manifest_records_the_request_path_first_and_each_package_once() -> None:
    assert RECORDED[: len(REQUEST_PATH)] == REQUEST_PATH
    assert len(set(RECORDED)) == len(REQUEST_PATH) + len(LAB_TOOLS)
