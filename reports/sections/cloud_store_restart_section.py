"""The cloud_store_restart experiment: the store restarted, without and with persistence.

No figure of its own: the cloud claims read what each restart lost
(reports.rules.cloud_topology)."""

from __future__ import annotations

from reports.sections.section import Section

SECTION = Section("cloud_store_restart", tables=("cloud_store_restart",))
