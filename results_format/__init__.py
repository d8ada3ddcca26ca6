"""The results folder's contract, on both sides of the wall: the bench writes a folder, the
report reads it, and neither imports the other. What both must agree on lives here, once, so
that a rename on one side cannot quietly turn part of the report into "not measured".

This package imports nothing of the lab (import-linter keeps it at the bottom layer).
"""
