"""The lab's own cost: each variant against its plain twin (servers/plain.py), from the
GET /me phases the runner measured with both loaded at the same time (twin_phases)."""

from __future__ import annotations

from dataclasses import dataclass

from authlab.bench import derive
from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext
from results_format.limits import OVERHEAD_LIMIT


@dataclass(frozen=True)
class OverheadParams:
    """None: the twins' phases are the runner's (it loads each twin beside its variant)."""


def run(context: ExperimentContext, params: OverheadParams) -> None:
    rows = derive.overhead_rows(context.read_table("twin_phases"))
    context.write_table("overhead", *rows)
    for row in rows:
        if row["ratio"] > OVERHEAD_LIMIT:
            context.warn(
                f"{row['variant']} costs {row['ratio']:.2f}x its plain twin per GET /me "
                f"(limit {OVERHEAD_LIMIT}): the lab's own cost is in its figures"
            )


EXPERIMENT = Experiment(
    "overhead", "each variant against its plain twin", ("overhead",), OverheadParams(), run
)
