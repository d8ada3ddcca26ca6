"""Which shape of results folder a manifest describes.

The bench writes FORMAT_VERSION into every manifest it starts (the key FORMAT_VERSION_KEY);
the report turns any older folder into this shape before it reads one
(results_format.upgrade). Raise the number with every change a reader would notice (a
table, column, phase id or manifest key renamed, moved or given a new meaning) and add
the step from the previous version to `upgrade`.

History:
    1  every folder written before the bench recorded a version (none says so: a manifest
       without the key is version 1). Its shapes varied: before 2026-11-30 the manifest
       listed the load phases' variants without colour or Settings, named the SQL store
       "sqlite", and left out the variants only an experiment started; before the GET-only
       phases (me-closed, me-rate) summary.csv held the mixed phase's figures under the
       names the GET-only figures have since (the mixed ones are now mix_*).
    2  the manifest says format_version; every variant a run started is described in it
       (configuration.variants and configuration.experiment_variants), with its colour
       and Settings; stores by Settings' names; summary.csv's mixed figures are mix_*.
"""

from __future__ import annotations

FORMAT_VERSION = 2
FORMAT_VERSION_KEY = "format_version"
UNVERSIONED = 1  # the version of a manifest without the key
