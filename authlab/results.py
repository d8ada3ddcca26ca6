"""Results folders: results/<run-id>/ with a manifest that says how the run was made."""

from __future__ import annotations

import json
import os
import platform
import secrets
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from authlab.dependency_lock import environment_match
from results_format.packages import RECORDED
from results_format.version import FORMAT_VERSION, FORMAT_VERSION_KEY

RESULTS_ROOT = Path(os.environ.get("AUTHLAB_RESULTS", "results"))


def new_run_id(kind: str) -> str:
    """Sortable and unique: time first, then the kind of run and a random tail."""
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{kind}-{secrets.token_hex(2)}"


def new_run_dir(kind: str, root: Path | None = None) -> Path:
    directory = (root or RESULTS_ROOT) / new_run_id(kind)
    directory.mkdir(parents=True, exist_ok=False)
    return directory


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except OSError:
        return None
    return result.stdout.strip() or None


def _versions() -> dict[str, str]:
    versions = {}
    for name in RECORDED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def redis_server_version() -> str | None:
    try:
        from authlab.redis_server import find_redis_server

        result = subprocess.run(
            [str(find_redis_server()), "--version"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, RuntimeError):
        return None
    return result.stdout.strip() or None


def cpu_model() -> str | None:
    """The CPU's model name (platform.processor() gives only "x86_64" on Linux): a run
    held against another needs to know whether the two ran on the same kind of core."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "cpu model") and value.strip():
            return value.strip()
    return None


def machine() -> dict[str, Any]:
    import psutil

    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_model": cpu_model(),
        "cpu_count_logical": psutil.cpu_count(logical=True),
        "cpu_count_physical": psutil.cpu_count(logical=False),
        "memory_bytes": psutil.virtual_memory().total,
        "python": sys.version.split()[0],
    }


def write_manifest(directory: Path, kind: str, configuration: dict[str, Any]) -> Path:
    manifest = {
        FORMAT_VERSION_KEY: FORMAT_VERSION,  # the shape of this folder (results_format.version)
        "run_id": directory.name,
        "kind": kind,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "git_commit": _git_commit(),
        # How the run was started, so that its report can say how to reproduce it.
        "command": " ".join(["authlab", *sys.argv[1:]]),
        "machine": machine(),
        "versions": {**_versions(), "redis-server": redis_server_version()},
        # Whether these are exactly the lock's versions: figures from another set are not
        # comparable one for one.
        "lock": environment_match().as_json(),
        "configuration": configuration,
    }
    path = directory / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return path


def add_to_manifest(directory: Path, key: str, value: Any) -> None:
    """What a run learns after its start (the browsers it found, say) joins its manifest."""
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest[key] = value
    path.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
