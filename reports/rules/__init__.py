"""The verdict rules, one module per kind of claim; reports.verdicts runs them in order."""
