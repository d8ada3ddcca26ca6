"""`authlab notebook` (make notebook): JupyterLab on loopback, behind a token, on notebooks/,
with the newest finished bench run handed to the notebook; clear words when it cannot start."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import threading
from pathlib import Path

import httpx
import psutil
import pytest
from typer.testing import CliRunner

from authlab import jupyterlab
from authlab.cli import app
from authlab.ports import free_port
from tests.authlab.processes import AUTHLAB, child_environment, gone, wait_until

REPO = Path(__file__).resolve().parents[2]


def test_without_jupyterlab_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jupyterlab, "jupyterlab_installed", lambda: False)
    result = CliRunner().invoke(app, ["notebook", "--no-browser"])
    assert result.exit_code == 2
    assert "make notebook" in result.stderr and "JupyterLab is not installed" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_taken_port_is_said_before_jupyter_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jupyterlab, "jupyterlab_installed", lambda: True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["notebook", "--port", str(port), "--no-browser"])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is taken" in result.stderr


def test_jupyter_listens_on_loopback_only_on_the_port_printed() -> None:
    argv = jupyterlab.jupyter_argv(9999, browser=False)
    assert "--ServerApp.ip=127.0.0.1" in argv and "--ServerApp.port=9999" in argv
    assert "--ServerApp.port_retries=0" in argv  # no silent move to another port
    assert f"--ServerApp.root_dir={REPO / 'notebooks'}" in argv
    assert "--ServerApp.open_browser=False" in argv
    assert not any("token" in arg.lower() for arg in argv)  # it travels in the environment


def test_saving_a_notebook_strips_its_outputs() -> None:
    model = {
        "type": "notebook",
        "content": {
            "cells": [
                {"cell_type": "markdown", "source": "# title"},
                {"cell_type": "code", "source": "1", "execution_count": 3, "outputs": [{"x": 1}]},
            ]
        },
    }
    jupyterlab.strip_outputs(model=model, path="explore.ipynb")
    markdown, code = model["content"]["cells"]  # type: ignore[index]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert markdown == {"cell_type": "markdown", "source": "# title"}
    other = {"type": "file", "content": "text"}
    jupyterlab.strip_outputs(model=other, path="notes.txt")
    assert other == {"type": "file", "content": "text"}


@pytest.mark.e2e  # JupyterLab itself; the tests above need no process
@pytest.mark.skipif(
    not jupyterlab.jupyterlab_installed(),
    reason="JupyterLab is the optional `notebook` group: `make notebook` installs it",
)
def test_jupyterlab_serves_the_notebook_with_the_newest_run_preselected(tmp_path: Path) -> None:
    results = tmp_path / "results"
    for name in ("20261101-120000-bench-aaaa", "20261102-120000-bench-bbbb"):
        (results / name).mkdir(parents=True)
        (results / name / "status.json").write_text(json.dumps({"interrupted": False}))
    port = free_port()
    process = subprocess.Popen(
        [str(AUTHLAB), "notebook", "--port", str(port), "--no-browser"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**child_environment(), "AUTHLAB_RESULTS": str(results)},
        start_new_session=True,
    )
    lines: list[str] = []
    stdout = process.stdout
    assert stdout is not None
    threading.Thread(target=lambda: lines.extend(stdout), daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: "Ctrl-C" in "".join(lines), timeout=30), "".join(lines)
        output = "".join(lines)
        found = re.search(
            r"open\s+(http://127\.0\.0\.1:\d+/lab/tree/explore\.ipynb\?token=(\S+))", output
        )
        assert found, output
        token = found.group(2)
        assert str(results / "20261102-120000-bench-bbbb") in output  # the newest, preselected

        def answers() -> bool:
            try:
                return httpx.get(f"{base}/api/status", params={"token": token}).status_code == 200
            except httpx.TransportError:
                return False

        assert wait_until(answers, timeout=120), "".join(lines)
        contents = httpx.get(f"{base}/api/contents", params={"token": token}).json()
        assert "explore.ipynb" in [item["name"] for item in contents["content"]]
        assert httpx.get(f"{base}/api/contents").status_code == 403  # no token, no entry
        assert httpx.get(found.group(1)).status_code == 200  # the URL printed opens the notebook

        descendants = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        assert wait_until(lambda: all(gone(p.pid) for p in descendants), timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
