"""K server processes of one variant, no sticky routing: requests rotate over them, so
state a server keeps in its own memory is missing on the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from authlab.bench.profiles import Phase
from authlab.bench.variant_servers import start_variant
from authlab.bench.variants import VARIANTS

if TYPE_CHECKING:
    from authlab.bench.runner import Bench
    from authlab.bench.variant_servers import Workspace
    from authlab.processes import ProcessGroup


def run_experiment(bench: Bench, group: ProcessGroup, workspace: Workspace) -> None:
    profile = bench.profile
    instances = profile.scale_out_instances
    phase = Phase("scale-out", "browse", profile.scale_out_seconds, 8, rate_per_user=10)
    for name in profile.scale_out_variants:
        variant = VARIANTS[name]
        running = start_variant(
            group, variant, workspace, bench.logs, bench.options.redis_url, instances=instances
        )
        try:
            figures, _ = bench.measure_phase(
                group, running.target, phase, 0, workspace, label="scale-out"
            )
        finally:
            running.stop(group)
        total = (figures["requests_ok"] or 0) + (figures["requests_failed"] or 0)
        bench.tables["scale_out"].add(
            {
                "variant": name,
                "instances": instances,
                "requests": total,
                "failed": figures["requests_failed"],
                "failure_rate": figures["requests_failed"] / total if total else None,
                "expected_if_state_is_local": (instances - 1) / instances
                if variant.store == "memory"
                else 0.0,
            }
        )
