"""Stand-ins for the places discovery.py looks: every one a temporary folder of the test's
own, and fake browsers (shell scripts) to put in them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from authlab.security import discovery


@dataclass
class Places:
    first_on_path: Path
    second_on_path: Path
    applications: Path
    home: Path
    playwright_cache: Path


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Places:
    """Every place discovery looks, empty and this test's own."""
    found = Places(*(tmp_path / name for name in ("bin1", "bin2", "Applications", "home", "pw")))
    for folder in (found.first_on_path, found.second_on_path, found.applications, found.home):
        folder.mkdir()
    monkeypatch.setenv("PATH", f"{found.first_on_path}:{found.second_on_path}")
    monkeypatch.delenv("AUTHLAB_CHROMIUM", raising=False)
    monkeypatch.delenv("AUTHLAB_FIREFOX", raising=False)
    monkeypatch.setenv("HOME", str(found.home))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(found.playwright_cache))
    monkeypatch.setattr(discovery, "APPLICATIONS", found.applications)
    return found


def fake(path: Path, script: str = "exit 0", executable: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755 if executable else 0o644)
    return path
