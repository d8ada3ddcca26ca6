"""Fixtures of the report tests: a small results folder written like the harness's."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import browser_or_skip, service_missing
from tests.reports.synthetic import security_document, write_run


@pytest.fixture(scope="session")
def pristine_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Written once per session; tests get copies (building a report writes into it)."""
    return write_run(tmp_path_factory.mktemp("pristine"))


@pytest.fixture
def synthetic_run(pristine_run: Path, tmp_path: Path) -> Path:
    """Three variants, two repetitions, every experiment, no security results."""
    return Path(shutil.copytree(pristine_run, tmp_path / "results" / pristine_run.name))


@pytest.fixture
def synthetic_run_with_security(synthetic_run: Path) -> Path:
    import json

    (synthetic_run / "security.json").write_text(json.dumps(security_document()))
    return synthetic_run


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The Chromium the lab would run (authlab/security/discovery.py) under Playwright."""
    chromium_path = browser_or_skip("chromium").path
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
