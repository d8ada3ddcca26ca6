"""The bytes each request carries on the wire (wire.csv, the runner's probe of each
variant before its load)."""

from __future__ import annotations

from reports import figures
from reports.sections.section import FigureSpec, Section

SECTION = Section(
    "load_wire",
    tables=("wire",),
    figure_specs=(
        FigureSpec(
            "bytes",
            "Bytes per request on the wire",
            "Headers included: the credential rides in every GET /me.",
            lambda run, ax: figures.bytes_per_request(run.wire, ax),
            tall=True,
        ),
    ),
)
