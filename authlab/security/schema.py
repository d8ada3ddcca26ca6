"""The security file's schema lives in the results format (results_format.security_file),
which the report reads too; the lab's modules import it from here."""

from __future__ import annotations

from results_format.security_file import SCHEMA_VERSION, SECTIONS, TOP_LEVEL_KEYS, skipped, validate

__all__ = ["SCHEMA_VERSION", "SECTIONS", "TOP_LEVEL_KEYS", "skipped", "validate"]
