"""Instructions per GET /me under callgrind, each variant against its plain twin.

The `overhead` experiment's CPU figure moves with the machine; this count does
not (authlab/bench/instructions.py), so it settles whether the lab's own code
stays within the limit where the CPU figure's repetitions straddle it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from authlab.bench.instructions import InstructionsUnavailable, measure
from results_format.limits import OVERHEAD_LIMIT

if TYPE_CHECKING:
    from authlab.bench.runner import Bench
    from authlab.bench.variant_servers import Workspace
    from authlab.processes import ProcessGroup


def run_experiment(bench: Bench, group: ProcessGroup, workspace: Workspace) -> None:
    if bench.options.target_url:
        return  # the server runs elsewhere: nothing here to run under valgrind
    try:
        counts = measure(list(bench.variants), workspace, bench.raw / "callgrind", group)
    except InstructionsUnavailable as reason:
        bench.warnings.append(f"instructions: {reason}")
        return
    bench.tables["instructions"].add(*(count.row() for count in counts))
    for count in counts:
        if count.ratio > OVERHEAD_LIMIT:
            bench.warnings.append(
                f"{count.variant} executes {count.ratio:.2f}x its plain twin's instructions "
                f"per GET /me (limit {OVERHEAD_LIMIT})"
            )
