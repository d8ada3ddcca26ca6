"""The resident_sessions experiment: a server holding N sessions under the same load.

No figure of its own: the cost claims read it (reports.rules.cost)."""

from __future__ import annotations

from reports.sections.section import Section

SECTION = Section("resident_sessions", tables=("resident_sessions", "resident_batches"))
