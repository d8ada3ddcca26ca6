"""The cloud_store_down experiment: the store down longer than an access token lives."""

from __future__ import annotations

from reports.cloud_figures import success_through_failure
from reports.sections.section import FigureSpec, Section

SECTION = Section(
    "cloud_store_down",
    tables=("cloud_store_down", "cloud_store_down_seconds"),
    figure_specs=(
        FigureSpec(
            "cloud-store-down",
            "The store down longer than an access token lives",
            "Requests OK per second: a stateless token serves until it expires, then refresh "
            "and login need the store like sessions do.",
            lambda run, ax: success_through_failure(
                run.cloud_store_down_seconds, ax, "the store went down"
            ),
        ),
    ),
    shown_where="cloud_store_down_seconds",
)
