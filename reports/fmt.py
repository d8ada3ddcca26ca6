"""Numbers with units, the same way everywhere in the report."""

from __future__ import annotations

from typing import Any

from reports.metrics import number

TIMES = "\N{MULTIPLICATION SIGN}"


def us(value: Any) -> str:
    v = number(value)
    if v is None:
        return "-"
    if v >= 10_000:
        return f"{v / 1000:,.1f} ms"
    return f"{v:,.0f} µs"


def ms(value_us: Any, digits: int = 2) -> str:
    v = number(value_us)
    return "-" if v is None else f"{v / 1000:,.{digits}f} ms"


def duration(value_us: Any) -> str:
    """A wait in the unit a reader thinks in: 33 ms, 2.8 s (never 0.0 s for 33 ms)."""
    v = number(value_us)
    if v is None:
        return "-"
    if v >= 1e6:
        return f"{v / 1e6:,.1f} s"
    if v >= 1e3:
        return f"{v / 1e3:,.0f} ms"
    return f"{v:,.0f} µs"


def rps(value: Any) -> str:
    v = number(value)
    return "-" if v is None else f"{v:,.0f} req/s"


def count(value: Any) -> str:
    """Large counts shortened (16.7k, 1.67M); small ones with two significant digits."""
    v = number(value)
    if v is None:
        return "-"
    # Shortened from 10,000 up (below it the digits are still readable), but always divided
    # by the suffix's own power: 16,667 is 16.7k, never 1.67k.
    for limit, divisor, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(v) >= limit:
            return f"{v / divisor:,.3g}{suffix}"
    if abs(v) < 10:
        return f"{v:.2g}"
    return f"{v:,.0f}"


def whole(value: Any) -> str:
    v = number(value)
    return "-" if v is None else f"{v:,.0f}"


def size(value: Any) -> str:
    v = number(value)
    if v is None:
        return "-"
    for limit, suffix in ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if abs(v) >= limit:
            return f"{v / limit:,.1f} {suffix}"
    return f"{v:,.0f} B"


def pct(value: Any, digits: int = 0) -> str:
    v = number(value)
    return "-" if v is None else f"{v * 100:.{digits}f}%"


def ratio(value: Any) -> str:
    v = number(value)
    # Two decimals under 10, as the deciding figures print them: one number, one spelling.
    return "-" if v is None else f"{TIMES}{v:,.2f}" if v < 10 else f"{TIMES}{v:,.0f}"
