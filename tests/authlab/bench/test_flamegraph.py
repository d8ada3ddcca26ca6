"""`authlab flamegraph`: a real server under real load, sampled by py-spy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("plain_twin", [False, True], ids=["lab", "plain-twin"])
def test_flamegraph_shows_where_get_me_goes(tmp_path: Path, plain_twin: bool) -> None:
    out = tmp_path / "flame.svg"
    argv = [sys.executable, "-m", "authlab", "flamegraph", "token-hs256", "--seconds", "3",
            "--out", str(out), *(["--plain-twin"] if plain_twin else [])]  # fmt: skip
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    svg = out.read_text()
    assert svg.startswith("<?xml")
    # The sampled server is the one asked for: the lab's route, or the twin's.
    assert ("routes.py" in svg) is not plain_twin
    assert ("plain.py" in svg) is plain_twin
    assert "api_jwt.py" in svg  # PyJWT's decode, in both


def test_flamegraph_refuses_an_unknown_variant(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "authlab", "flamegraph", "token-hs999"]
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unknown variant" in done.stderr and "Traceback" not in done.stderr
