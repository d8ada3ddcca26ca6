"""The five cloud experiments, each a function (CloudRun) -> rows of its own CSV, plus
the per-second rows of the ones that break something under load."""
