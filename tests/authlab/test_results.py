"""The manifest says how a run was made: the command that started it and the CPU it ran on
(what a report needs to say how to reproduce it, and `authlab compare` to say whether two
runs ran alike)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from authlab.results import cpu_model, write_manifest


def test_the_manifest_records_the_command_and_the_cpu_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["/somewhere/.venv/bin/authlab", "bench", "--profile", "quick"]
    monkeypatch.setattr(sys, "argv", argv)
    manifest = json.loads(write_manifest(tmp_path, "bench", {}).read_text())
    assert manifest["command"] == "authlab bench --profile quick"
    assert manifest["machine"]["cpu_model"] == cpu_model()
    if Path("/proc/cpuinfo").is_file():
        model = cpu_model()
        assert model and model not in ("x86_64", "aarch64")  # a model name, not the arch
