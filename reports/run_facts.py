"""What a reader needs at the top to trust and repeat a run: the command, the profile and
its phase lengths, the machine (CPU model, cores) and how to reproduce it; from the
manifest alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.load import RunData


@dataclass(frozen=True)
class RunFacts:
    command: str
    command_recorded: bool  # False: rebuilt from the manifest's configuration
    profile: str
    phases: str
    machine: str
    reproduce: str


def _command(run: RunData) -> tuple[str, bool]:
    recorded = run.manifest.get("command")
    if recorded:
        return str(recorded), True
    configuration = run.manifest.get("configuration") or {}
    profile = (configuration.get("profile") or {}).get("name") or "standard"
    return f"authlab bench --profile {profile}", False


def _phase(phase: dict[str, Any]) -> str:
    seconds = phase.get("seconds") or 0
    if phase.get("shape"):
        return f"{phase.get('name')} (a {phase.get('shape')} ramp)"
    return f"{phase.get('name')} {seconds:g} s"


def facts(run: RunData) -> RunFacts:
    configuration = run.manifest.get("configuration") or {}
    profile = configuration.get("profile") or {}
    name = str(profile.get("name") or "-")
    repetitions = profile.get("repetitions")
    phases = ", ".join(_phase(p) for p in profile.get("phases") or [] if isinstance(p, dict))
    if profile.get("step_seconds") and profile.get("steps"):
        phases += f"; step ramp {profile['steps']} x {profile['step_seconds']:g} s"
    machine = run.manifest.get("machine") or {}
    model = machine.get("cpu_model") or "CPU model not recorded"
    cores = machine.get("cpu_count_logical")
    machine_text = f"{model}, {cores or '?'} cores, Python {machine.get('python') or '?'}"
    command, recorded = _command(run)
    repeated = f"{repetitions} repetition(s)" if repetitions else "repetitions not recorded"
    return RunFacts(
        command=command,
        command_recorded=recorded,
        profile=f"{name}, {repeated}",
        phases=phases or "-",
        machine=machine_text,
        reproduce=(
            f"make bench PROFILE={name} (or {command}), then "
            f"authlab compare {run.directory} results/<your run>"
        ),
    )
