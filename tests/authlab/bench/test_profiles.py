"""The profiles measure what they measured before the experiments took their own parameters
(issue 17): every profile's effective values against a snapshot of the old `Profile`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from authlab.bench.experiments import REGISTRY
from authlab.bench.profiles import PROFILES, Profile

# asdict() of every profile as it was, with each experiment's settings a field of Profile.
BEFORE = json.loads((Path(__file__).parent / "profiles_before_issue17.json").read_text())

# The old Profile field -> (experiment, its parameter) that holds the value now.
MOVED = {
    "session_counts": ("sessions_at_scale", "counts"),
    "primitive_iterations": ("primitives", "iterations"),
    "scale_out_instances": ("scale_out", "instances"),
    "scale_out_seconds": ("scale_out", "seconds"),
    "scale_out_variants": ("scale_out", "variants"),
    "outage_variants": ("outage", "variants"),
    "outage_seconds": ("outage", "seconds"),
    "resident_session_counts": ("resident_sessions", "counts"),
    "resident_seconds": ("resident_sessions", "seconds"),
    "resident_users": ("resident_sessions", "users"),
    "resident_rate_per_user": ("resident_sessions", "rate_per_user"),
}
# The old CloudPlan's variants per experiment; its other figures were shared by all five.
CLOUD_VARIANTS = {
    "balancer_variants": "cloud_balancer",
    "sticky_variants": "cloud_sticky_kill",
    "failover_variants": "cloud_failover",
    "store_down_variants": "cloud_store_down",
    "restart_variants": "cloud_store_restart",
}


def old_form(profile: Profile) -> dict[str, Any]:
    """The profile's effective values under the old field names, as JSON would keep them."""
    new = dataclasses.asdict(profile)
    del new["params"]
    for field, (experiment, parameter) in MOVED.items():
        new[field] = getattr(profile.params_for(experiment), parameter)
    cloud: dict[str, Any] = {}
    figures: list[dict[str, Any]] = []
    for field, experiment in CLOUD_VARIANTS.items():
        params = dataclasses.asdict(profile.params_for(experiment))
        cloud[field] = params.pop("variants")
        figures.append(params)
    assert all(f == figures[0] for f in figures), "the cloud experiments' figures differ"
    new["cloud"] = {**figures[0], **cloud}
    result: dict[str, Any] = json.loads(json.dumps(new))
    return result


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_every_profile_keeps_the_values_it_had_before_experiments_took_their_params(
    name: str,
) -> None:
    assert old_form(PROFILES[name]) == BEFORE[name]


def test_no_profile_was_added_or_lost() -> None:
    assert set(PROFILES) == set(BEFORE)


def test_each_profile_overrides_only_known_experiments_with_their_own_params_type() -> None:
    for profile in PROFILES.values():
        for name, params in profile.params.items():
            assert name in REGISTRY, f"{profile.name}: unknown experiment {name!r}"
            assert type(params) is type(REGISTRY[name].params), f"{profile.name}: {name}"
