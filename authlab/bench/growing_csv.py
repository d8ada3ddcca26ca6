"""CSV files that grow a row at a time and are always complete on disk.

Each table is rewritten whole after every row (they hold hundreds of rows,
not millions), so Ctrl-C at any moment leaves every file readable. Its columns are
in the order its declaration in results_format.tables gives (the file's name is the
table's name).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from results_format import tables


class Table:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, Any]] = []

    def add(self, *rows: dict[str, Any]) -> None:
        self.rows.extend(rows)
        self.write()

    def write(self) -> None:
        if not self.rows:
            return
        columns: list[str] = []
        for row in self.rows:
            columns.extend(key for key in row if key not in columns)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=tables.ordered(self.path.stem, columns))
            writer.writeheader()
            writer.writerows(self.rows)
        os.replace(temporary, self.path)
