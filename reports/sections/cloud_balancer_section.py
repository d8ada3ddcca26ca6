"""The cloud_balancer experiment: HAProxy round robin with no stickiness.

No figure of its own: the state claims and the capacity model's topology read it."""

from __future__ import annotations

from reports.sections.section import Section

SECTION = Section("cloud_balancer", tables=("cloud_balancer",))
