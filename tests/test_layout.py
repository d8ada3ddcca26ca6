"""The lab's layout rules that neither ruff nor import-linter checks."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("authlab", "reports", "loadtests", "servers", "results_format")


def test_no_two_lab_modules_share_a_file_name() -> None:
    # A name used twice (load.py for "read the folder" and for "Locust load") makes a
    # traceback, a grep and a conversation ambiguous; __init__.py is the one exception.
    where: dict[str, list[str]] = defaultdict(list)
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path.name != "__init__.py":
                where[path.name].append(str(path.relative_to(ROOT)))
    shared = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not shared, f"module file names used more than once: {shared}"
