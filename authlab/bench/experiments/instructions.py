"""Instructions per GET /me under callgrind, each variant against its plain twin.

The `overhead` experiment's CPU figure moves with the machine; this count does
not (authlab/bench/callgrind.py), so it settles whether the lab's own code
stays within the limit where the CPU figure's repetitions straddle it.
"""

from __future__ import annotations

from dataclasses import dataclass

from authlab.bench.callgrind import InstructionsUnavailable, measure
from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext
from results_format.limits import OVERHEAD_LIMIT


@dataclass(frozen=True)
class InstructionsParams:
    """None: every loaded variant and its twin, one request count (instructions.py)."""


def run(context: ExperimentContext, params: InstructionsParams) -> None:
    if context.target_url:
        return  # the server runs elsewhere: nothing here to run under valgrind
    try:
        counts = measure(
            list(context.loaded_variants), context.workspace, context.raw / "callgrind",
            context.group,
        )  # fmt: skip
    except InstructionsUnavailable as reason:
        context.warn(f"instructions: {reason}")
        return
    context.write_table("instructions", *(count.row() for count in counts))
    for count in counts:
        if count.ratio > OVERHEAD_LIMIT:
            context.warn(
                f"{count.variant} executes {count.ratio:.2f}x its plain twin's instructions "
                f"per GET /me (limit {OVERHEAD_LIMIT})"
            )


EXPERIMENT = Experiment(
    "instructions",
    "instructions per GET /me under callgrind, each variant against its plain twin",
    ("instructions",),
    InstructionsParams(),
    run,
    by_default=False,
)
