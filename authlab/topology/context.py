"""What every cloud experiment is handed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from authlab.bench.variant_servers import Workspace
from authlab.processes import ProcessGroup
from authlab.topology.plan import CloudPlan


@dataclass
class CloudRun:
    """What every experiment is handed: the run's processes, folders and accounts."""

    group: ProcessGroup
    raw: Path  # kept with the results (logs, Locust's CSVs)
    work: Path  # temporary: databases, keys, every answer written down
    workspace: Workspace
    plan: CloudPlan
    topology: dict[str, object] = field(default_factory=dict)  # for the manifest

    def folder(self, *parts: str) -> Path:
        path = self.work.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path
