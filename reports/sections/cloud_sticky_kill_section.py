"""The cloud_sticky_kill experiment: sticky routing behind HAProxy, one instance SIGKILLed."""

from __future__ import annotations

from reports.cloud_figures import success_through_failure
from reports.sections.section import FigureSpec, Section

SECTION = Section(
    "cloud_sticky_kill",
    tables=("cloud_sticky_kill", "cloud_sticky_kill_seconds"),
    figure_specs=(
        FigureSpec(
            "cloud-sticky-kill",
            "Behind HAProxy with sticky routing: one instance SIGKILLed",
            "Requests OK per second; HAProxy's health checks take the dead instance out. "
            "Sessions in its memory are gone: its users log in again (cloud_sticky_kill.csv "
            "counts them).",
            lambda run, ax: success_through_failure(run.cloud_sticky_kill_seconds, ax, "the kill"),
        ),
    ),
    shown_where="cloud_sticky_kill_seconds",
)
