"""K server processes of one variant, no sticky routing: requests rotate over them, so
state a server keeps in its own memory is missing on the others."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from authlab.bench.at_once import at_once
from authlab.bench.experiments.experiment import Experiment
from authlab.bench.experiments.experiment_context import ExperimentContext, variants_running
from authlab.bench.phase import Phase
from authlab.bench.variants import VARIANTS


@dataclass(frozen=True)
class ScaleOutParams:
    instances: int = 2
    seconds: float = 4.0
    # 16 users at 10 requests/s: 4 s give about 600 requests, enough for "no failure" to
    # mean under 1% with 95% confidence (Wilson: 0 in 311 still leaves 1.2% possible).
    users: int = 16
    variants: tuple[str, ...] = ("session-memory", "session-redis", "token-hs256")


def run(context: ExperimentContext, params: ScaleOutParams) -> None:
    instances = params.instances
    phase = Phase("scale-out", "browse", params.seconds, params.users, rate_per_user=10)
    # Every variant at once: what is counted is which requests fail, at a light load, not
    # what they cost; one after the other, each took its servers' start and stop as well.
    with variants_running(context, params.variants, instances=instances) as running:
        measured = at_once(
            [
                partial(context.measure_phase, variant.target, phase, "scale-out")
                for variant in running.values()
            ]
        )
    for name, one in zip(running, measured, strict=True):
        figures = one.figures
        total = (figures["requests_ok"] or 0) + (figures["requests_failed"] or 0)
        context.write_table(
            "scale_out",
            {
                "variant": name,
                "instances": instances,
                "requests": total,
                "failed": figures["requests_failed"],
                "failure_rate": figures["requests_failed"] / total if total else None,
                "expected_if_state_is_local": (instances - 1) / instances
                if VARIANTS[name].store == "memory"
                else 0.0,
            },
        )


EXPERIMENT = Experiment(
    "scale_out",
    "K servers without sticky routing",
    ("scale_out",),
    ScaleOutParams(),
    run,
    variants=lambda params: params.variants,
)
