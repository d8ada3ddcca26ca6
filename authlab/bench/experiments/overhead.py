"""The lab's own cost: each variant against its plain twin (servers/plain.py), from the
GET /me phases the runner measured with both loaded at the same time (twin_phases)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from authlab.bench import derive
from results_format.limits import OVERHEAD_LIMIT

if TYPE_CHECKING:
    from authlab.bench.runner import Bench
    from authlab.bench.variant_servers import Workspace
    from authlab.processes import ProcessGroup


def run_experiment(bench: Bench, group: ProcessGroup, workspace: Workspace) -> None:
    rows = derive.overhead_rows(bench.tables["twin_phases"].rows)
    bench.tables["overhead"].add(*rows)
    for row in rows:
        if row["ratio"] > OVERHEAD_LIMIT:
            bench.warnings.append(
                f"{row['variant']} costs {row['ratio']:.2f}x its plain twin per GET /me "
                f"(limit {OVERHEAD_LIMIT}): the lab's own cost is in its figures"
            )
