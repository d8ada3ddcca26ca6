"""The results folder's contract, on both sides of the wall: the bench writes a folder, the
report reads it, and neither imports the other. What both must agree on lives here, once, so
that a rename on one side cannot quietly turn part of the report into "not measured".

    version, upgrade, version_1   the folder's format version; one path from any older
                                  folder to the current shape (the report reads no other)
    tables                        every table with its columns and what a row is
    phase_ids, primitive_ids      the load phases' ids; the building blocks' labels
    variant_names                 "<base>@<what>" copies of a server
    palette                       one colour per variant
    security_file                 the schema of security.json
    limits, packages              the overhead threshold; the packages a run records

This package imports nothing of the lab (import-linter keeps it at the bottom layer).
"""
