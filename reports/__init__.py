"""The report: a results folder -> DataFrames -> figures, claims and capacity -> HTML."""
