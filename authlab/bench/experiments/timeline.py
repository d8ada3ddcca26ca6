"""Per-second success rates from a phase's latency file."""

from __future__ import annotations

from typing import Any


def per_second_rows(
    variant: str, data: dict[str, Any] | None, origin: float
) -> list[dict[str, Any]]:
    rows = []
    for second, ok, failed in (data or {}).get("per_second", []):
        total = ok + failed
        rows.append(
            {
                "variant": variant,
                "second": second - int(origin),
                "ok": ok,
                "failed": failed,
                "success_rate": ok / total if total else None,
            }
        )
    return rows
