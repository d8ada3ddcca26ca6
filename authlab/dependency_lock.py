"""The dependency lock: requirements/*.txt, which `make lock` writes from pyproject.toml.

A benchmark's figures move with library versions (PyJWT's verify, redis-py's parser, uvicorn's
protocol classes), so every machine installs exactly what the lock pins. This module answers two
questions without the network: does the lock still agree with pyproject.toml (`make lint` fails
when it does not), and does the running environment match the lock (recorded in each run's
manifest)?
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LOCK_DIR = PROJECT_ROOT / "requirements"
# Each lock file and the optional-dependency groups it adds to the runtime ones; the widest
# group comes first (it is compiled first and constrains the others).
GROUPS: dict[str, tuple[str, ...]] = {
    "notebook": ("dev", "notebook"),
    "dev": ("dev",),
    "runtime": (),
}
# pip-compile's annotation of a requirement that pyproject.toml asks for by name.
_FROM_PYPROJECT = re.compile(r"^#\s+(?:via\s+)?\S+ \(pyproject\.toml\)$")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)\s*\\?$")


@dataclass
class Pin:
    """One line of a lock file: a name pinned at a version, with what asked for it."""

    version: str
    hashes: int = 0
    direct: bool = False


@dataclass
class LockMatch:
    """Whether the installed packages are exactly those of one lock file."""

    matched: bool
    group: str | None
    differences: dict[str, dict[str, str | None]] = field(default_factory=dict)
    reason: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "matched": self.matched,
            "group": self.group,
            "differences": self.differences,
            "reason": self.reason,
        }


def read_pins(text: str) -> dict[str, Pin]:
    """The pins of one pip-compile output, keyed by canonical name."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for raw in text.splitlines():
        line = raw.strip()
        match = _PIN.match(raw)
        if match:
            current = Pin(version=match.group(2))
            pins[canonicalize_name(match.group(1))] = current
        elif current is not None and line.startswith("--hash="):
            current.hashes += 1
        elif current is not None and _FROM_PYPROJECT.match(line):
            current.direct = True
    return pins


def requirements_of(pyproject: Mapping[str, object], group: str) -> list[Requirement]:
    """What pyproject.toml asks for in one lock group: the runtime list plus its extras."""
    project = pyproject.get("project")
    if not isinstance(project, dict):
        raise ValueError("pyproject.toml has no [project] table")
    lines: list[str] = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in GROUPS[group]:
        lines.extend(optional.get(extra, []))
    requirements = []
    for line in lines:
        try:
            requirements.append(Requirement(line))
        except InvalidRequirement as error:
            raise ValueError(f"pyproject.toml: {line!r} is not a requirement: {error}") from None
    return requirements


def disagreements(pyproject: Mapping[str, object], locks: Mapping[str, str]) -> list[str]:
    """Every way the lock files fail pyproject.toml, or each other; empty when they agree."""
    problems: list[str] = []
    versions_seen: dict[str, tuple[str, str]] = {}
    for group in GROUPS:
        if group not in locks:
            problems.append(f"requirements/{group}.txt is missing: run `make lock`")
            continue
        pins = read_pins(locks[group])
        wanted = [
            requirement
            for requirement in requirements_of(pyproject, group)
            if requirement.marker is None or requirement.marker.evaluate()
        ]
        wanted_names = {canonicalize_name(requirement.name) for requirement in wanted}
        for requirement in wanted:
            name = canonicalize_name(requirement.name)
            pin = pins.get(name)
            if pin is None:
                problems.append(
                    f"{group}: pyproject.toml asks for {requirement}, the lock has none"
                )
            elif not requirement.specifier.contains(pin.version, prereleases=True):
                problems.append(
                    f"{group}: pyproject.toml asks for {requirement}, the lock pins {pin.version}"
                )
        for locked_name, pin in sorted(pins.items()):
            if pin.direct and locked_name not in wanted_names:
                problems.append(
                    f"{group}: the lock pins {locked_name} for pyproject.toml,"
                    " which no longer asks for it"
                )
            if pin.hashes == 0:
                problems.append(f"{group}: {locked_name}=={pin.version} has no hash")
            earlier = versions_seen.setdefault(locked_name, (group, pin.version))
            if earlier[1] != pin.version:
                problems.append(
                    f"{locked_name} is {earlier[1]} in {earlier[0]} but {pin.version} in {group}:"
                    " the groups must pin the same versions"
                )
    return problems


def read_locks(lock_dir: Path = LOCK_DIR) -> dict[str, str]:
    return {
        group: (lock_dir / f"{group}.txt").read_text()
        for group in GROUPS
        if (lock_dir / f"{group}.txt").is_file()
    }


def _installed(names: Iterable[str]) -> dict[str, str | None]:
    installed: dict[str, str | None] = {}
    for name in names:
        try:
            installed[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed[name] = None
    return installed


def environment_match(lock_dir: Path = LOCK_DIR) -> LockMatch:
    """The widest lock group whose every pin is installed at its version, else the dev group's
    differences (what `make setup` installs)."""
    locks = read_locks(lock_dir)
    if not locks:
        return LockMatch(False, None, reason=f"no lock files in {lock_dir}")
    differences_by_group: dict[str, dict[str, dict[str, str | None]]] = {}
    for group, text in locks.items():
        pins = read_pins(text)
        installed = _installed(pins)
        differences = {
            name: {"locked": pin.version, "installed": installed[name]}
            for name, pin in pins.items()
            if installed[name] != pin.version
        }
        if not differences:
            return LockMatch(True, group)
        differences_by_group[group] = differences
    group = "dev" if "dev" in differences_by_group else next(iter(differences_by_group))
    return LockMatch(False, group, differences_by_group[group])


def check(pyproject_path: Path = PROJECT_ROOT / "pyproject.toml", lock_dir: Path = LOCK_DIR) -> int:
    pyproject = tomllib.loads(pyproject_path.read_text())
    problems = disagreements(pyproject, read_locks(lock_dir))
    if problems:
        print("The lock disagrees with pyproject.toml (run `make lock`):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"lock: requirements/*.txt agree with {pyproject_path.name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authlab.dependency_lock")
    parser.add_argument("command", choices=["check", "environment"])
    arguments = parser.parse_args(argv)
    if arguments.command == "check":
        return check()
    match = environment_match()
    if match.matched:
        print(f"the environment matches requirements/{match.group}.txt")
        return 0
    print(match.reason or f"the environment differs from requirements/{match.group}.txt:")
    for name, versions in sorted(match.differences.items()):
        print(f"  {name}: locked {versions['locked']}, installed {versions['installed']}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
