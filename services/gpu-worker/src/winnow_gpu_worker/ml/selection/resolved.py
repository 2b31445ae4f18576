"""The engine's input: one config entry plus the arrays the pipeline resolved for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from winnow_common.enums import SelectionInputType, SelectionStrategyType
from winnow_common.schemas.worker_config import SelectionEntry


@dataclass(frozen=True, eq=False)
class ResolvedStrategy:
    """A selection config entry whose input has been turned into arrays by the caller.

    ``values`` by input/strategy (N = number of input samples, the same for every strategy):

    - THRESHOLD / WEIGHTS (SCORES, METADATA, PREDICTIONS CATEGORY_COUNT, RANDOM): shape ``(N,)``
      floats; NaN marks a missing value.
    - DIVERSITY / SIMILARITY / TYPICALITY (EMBEDDINGS): shape ``(N, D)`` embeddings.
    - BALANCE: shape ``(N, C)`` non-negative per-class amounts: a probability vector or summed
      per-object probabilities (PREDICTIONS CLASS_DISTRIBUTION), or a one-hot row for
      categorical METADATA (see ``encode_categories``); ``class_names`` names the columns.

    ``query`` is the SIMILARITY query set ``(Q, D)``. ``preselected`` are embeddings ``(P, D)``
    counted as already selected by this DIVERSITY strategy (e.g. the datapool); when ``None``
    the ``preselected`` argument of ``select`` applies.
    """

    entry: SelectionEntry
    values: np.ndarray
    class_names: Sequence[str] | None = None
    query: np.ndarray | None = None
    preselected: np.ndarray | None = None

    @property
    def kind(self) -> SelectionStrategyType:
        return self.entry.strategy.type

    @property
    def input_type(self) -> SelectionInputType:
        return self.entry.input.type

    @property
    def strength(self) -> float:
        """The strategy exponent; Lightly's default is 1.0."""
        value = self.entry.strategy.strength
        return 1.0 if value is None else float(value)
