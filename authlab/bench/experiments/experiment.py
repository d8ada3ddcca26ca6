"""What an experiment declares about itself: its name, what it measures, the tables it
writes, its parameters' defaults and the function that runs it.

Each experiment module holds one `EXPERIMENT`; the registry (this package's __init__)
lists them, and a profile overrides an experiment's parameters by its name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from authlab.bench.experiments.experiment_context import ExperimentContext

Params = TypeVar("Params")


def _none(params: object) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class Experiment(Generic[Params]):
    name: str
    summary: str
    tables: tuple[str, ...]  # the CSVs it writes in the results folder (none: elsewhere)
    params: Params  # its defaults: a frozen dataclass of the experiment's module
    run: Callable[[ExperimentContext, Params], None]
    by_default: bool = True  # in every profile's experiments (else: named by a profile)
    # The variants it starts itself (the manifest describes them beside the loaded ones).
    variants: Callable[[Params], tuple[str, ...]] = _none

    def with_params(self, params: Params) -> Params:
        """A profile's override of the defaults, checked to be this experiment's kind."""
        if type(params) is not type(self.params):
            raise TypeError(
                f"{self.name} takes {type(self.params).__name__}, not {type(params).__name__}"
            )
        return params
