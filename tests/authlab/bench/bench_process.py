"""`authlab bench` as a subprocess, for the end-to-end tests of the harness."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[3]


def start_bench(results: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "authlab", "bench", "--results", str(results), "--no-report", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def descendants_of(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def the_run_dir(results: Path) -> Path:
    (run,) = list(results.iterdir())
    return run
