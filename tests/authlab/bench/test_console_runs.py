"""`authlab bench` options that need no run."""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path

import pytest

from authlab.bench.console_runs import security_file


def test_security_latest_is_the_newestsecurity_file(tmp_path: Path) -> None:
    for run in ("20261101-000000-security-aaaa", "20261102-000000-security-bbbb"):
        (tmp_path / run).mkdir()
        (tmp_path / run / "security.json").write_text("{}")
    # A newer bench run that ran the browser quick set itself keeps a copy of its file:
    # `latest` still means the newest `authlab security` run.
    (tmp_path / "20261103-000000-bench-cccc").mkdir()
    (tmp_path / "20261103-000000-bench-cccc" / "security.json").write_text("{}")
    assert (
        security_file("latest", tmp_path)
        == tmp_path / "20261102-000000-security-bbbb" / "security.json"
    )
    assert security_file(None, tmp_path) is None


def test_security_file_that_is_missing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="authlab security"):
        security_file("latest", tmp_path)
    with pytest.raises(ValueError, match="no security results"):
        security_file(str(tmp_path / "nope.json"), tmp_path)


def test_a_ctrl_c_that_python_dropped_is_raised_at_the_next_step(tmp_path: Path) -> None:
    # Python reports and drops a KeyboardInterrupt raised in an at-fork hook or a finaliser
    # ("Exception ignored in ..."): the bench remembers the Ctrl-C and raises it again.
    from authlab.bench.profiles import PROFILES
    from authlab.bench.runner import Bench, BenchOptions

    bench = Bench(BenchOptions(profile=PROFILES["smoke"], only="baseline", results_root=tmp_path))
    bench._steps_total = 10
    bench._step("first phase")  # nothing pending: goes on
    with contextlib.suppress(KeyboardInterrupt):  # the one Python dropped
        bench._on_sigint(signal.SIGINT, None)
    with pytest.raises(KeyboardInterrupt):
        bench._step("next phase")
