"""`authlab notebook` (what `make notebook` runs): JupyterLab on notebooks/, on loopback, with
the results folder to explore chosen and handed to the notebook in AUTHLAB_RUN.

JupyterLab is an optional dependency (`pip install -e '.[notebook]'`, which `make notebook`
does), so that `make test` and `make bench` stay lean. This process becomes JupyterLab
(exec): it owns the terminal, its own Ctrl-C handling included, and leaves nothing behind.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer

from authlab.ports import free_port

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8888  # Jupyter's own default
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOK = NOTEBOOKS / "explore.ipynb"


def jupyterlab_installed() -> bool:
    return importlib.util.find_spec("jupyterlab") is not None


def jupyter_argv(port: int, browser: bool) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.ip={LOOPBACK}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # the URL printed is the one it listens on, or nothing
        f"--ServerApp.root_dir={NOTEBOOKS}",
        f"--ServerApp.open_browser={browser}",
        # notebooks/ is kept without outputs in git (the tests check it): saving strips them.
        "--FileContentsManager.pre_save_hook=authlab.jupyterlab.strip_outputs",
        str(NOTEBOOK),  # the file the browser opens
    ]
    if os.geteuid() == 0:
        # Jupyter refuses root unless told; containers and CI machines here run as root,
        # and the server listens on loopback only, behind a token.
        argv.append("--allow-root")
    return argv


def strip_outputs(model: dict[str, Any], **_: Any) -> None:
    """Jupyter's pre-save hook: a notebook is written without outputs or execution counts
    (the browser keeps showing them)."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    for cell in model["content"].get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None


def start_jupyterlab(port: int, browser: bool) -> NoReturn:
    """Become JupyterLab on notebooks/ (port 0: any free), the results folder to explore
    chosen; what it opens is said first."""
    from reports.notebook import pick_run

    port = port or free_port(LOOPBACK)
    run, why = pick_run()
    # The token travels in the environment (JUPYTER_TOKEN), not on a command line that
    # every local user can read in ps.
    token = secrets.token_urlsafe(24)
    url = f"http://{LOOPBACK}:{port}/lab/tree/{NOTEBOOK.name}?token={token}"
    for line in (
        f"authlab notebook: JupyterLab on {NOTEBOOKS} (pid {os.getpid()}: this process becomes it)",
        f"  open      {url}",
        f"  results   {run}",
        f"            {why}; the notebook reads it from AUTHLAB_RUN",
        "  variants  A and B at the top of the notebook are the two compared on every figure",
        "Ctrl-C twice stops it.",
    ):
        typer.echo(line)
    sys.stdout.flush()
    sys.stderr.flush()
    environment = {**os.environ, "AUTHLAB_RUN": str(Path(run).resolve()), "JUPYTER_TOKEN": token}
    os.execve(sys.executable, jupyter_argv(port, browser), environment)  # noqa: S606 - no shell wanted
