"""Instructions per GET /me under callgrind: a count that repeats, whatever the load."""

from __future__ import annotations

from pathlib import Path

import pytest

from authlab.bench import callgrind
from authlab.bench.callgrind import InstructionsUnavailable, callgrind_tools
from authlab.bench.variant_servers import Workspace
from authlab.bench.variants import VARIANTS
from authlab.processes import ProcessGroup
from tests.conftest import service_missing

pytestmark = pytest.mark.e2e


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    try:
        callgrind_tools()
    except InstructionsUnavailable as missing:
        service_missing(str(missing))
    workspace = Workspace.fresh(tmp_path / "work")
    workspace.directory.mkdir()
    workspace.seed(2, storm=False)
    return workspace


def test_the_count_repeats_and_the_lab_does_more_than_its_plain_twin(
    workspace: Workspace, tmp_path: Path
) -> None:
    baseline = VARIANTS["baseline"]
    with ProcessGroup() as group:
        first = callgrind.count(baseline, workspace, tmp_path / "cg", None, True, group)
        again = callgrind.count(baseline, workspace, tmp_path / "cg", None, True, group)
        lab = callgrind.count(baseline, workspace, tmp_path / "cg", None, False, group)
        assert not group.tracked, "a server outlived its count"
    assert first > 50_000  # a GET /me through Starlette is tens of thousands, not a few
    # The same binary, requests and inputs: the same count, within a fraction of a percent
    # (a garbage collection may fall inside the counted requests or not).
    assert abs(again - first) / first < 0.01
    # The lab's server does all the twin does and counts it in its metrics.
    assert lab > first


def test_without_valgrind_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(callgrind.shutil, "which", lambda name: None)
    with pytest.raises(InstructionsUnavailable, match="apt-get install valgrind"):
        callgrind_tools()
