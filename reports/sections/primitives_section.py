"""The primitives experiment: each building block of a check timed alone in-process.

No figure of its own: its timings sit beneath the variants table's check cost
(reports.metrics) and in the claims about what a check costs."""

from __future__ import annotations

from reports.sections.section import Section

SECTION = Section("primitives", tables=("primitives",))
