"""Fixtures of the report tests: a small results folder written like the harness's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
