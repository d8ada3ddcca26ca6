"""Per-second success rates from a phase's latency file, beside a store outage."""

from __future__ import annotations

from typing import Any


def per_second_rows(
    variant: str,
    data: dict[str, Any] | None,
    origin: float,
    outage: tuple[float, float] | None = None,
) -> list[dict[str, Any]]:
    """One row per wall-clock second, numbered from the second the phase began in.

    `outage` is (stopped, resumed) in epoch seconds; each row says what share
    of its second the store was down (0 to 1), so a second that the outage
    only grazes is not counted as a whole second down.
    """
    base = int(origin)
    counted = {row[0]: (row[1], row[2]) for row in (data or {}).get("per_second", [])}
    if not counted:
        return []
    rows = []
    # Every second from the first to the last, so that a second in which nothing
    # completed (a stalled store) is a row of zeros, not a gap.
    for second in range(min(counted), max(counted) + 1):
        ok, failed = counted.get(second, (0, 0))
        total = ok + failed
        down = 0.0
        if outage is not None:
            overlap = min(second + 1, outage[1]) - max(second, outage[0])
            down = round(max(0.0, min(1.0, overlap)), 3)
        rows.append(
            {
                "variant": variant,
                "second": second - base,
                "ok": ok,
                "failed": failed,
                "success_rate": ok / total if total else None,
                "store_down": down,
            }
        )
    return rows
