"""Thresholds the bench warns with and the report flags with: one number, both sides."""

from __future__ import annotations

# A lab server may cost at most this much more than its plain twin (the same stack without the
# lab's metrics and middleware) per request, by CPU or by instruction count: above it the
# lab's own cost is in the figures.
OVERHEAD_LIMIT = 1.15
