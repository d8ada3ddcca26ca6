"""The cloud_failover experiment: the store's primary SIGKILLed, Sentinel promotes the
replica."""

from __future__ import annotations

from reports.cloud_figures import success_through_failure
from reports.sections.section import FigureSpec, Section

SECTION = Section(
    "cloud_failover",
    tables=("cloud_failover", "cloud_failover_seconds"),
    figure_specs=(
        FigureSpec(
            "cloud-failover",
            "The store's primary SIGKILLed: Sentinel promotes the replica",
            "Requests OK per second under mixed load (browsing, logins, refreshes, logouts); "
            "the servers follow the new primary without a restart.",
            lambda run, ax: success_through_failure(run.cloud_failover_seconds, ax, "the kill"),
        ),
    ),
    shown_where="cloud_failover_seconds",
)
