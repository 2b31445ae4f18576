"""What a selection returns: the picks in order, why it stopped, and per-strategy details."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from winnow_common.enums import SelectionInputType, SelectionStrategyType


class StopCode(StrEnum):
    """Machine-readable reason the greedy loop ended (``SelectionResult.stop_reason`` is prose)."""

    N_SAMPLES = "N_SAMPLES"
    NO_CANDIDATES = "NO_CANDIDATES"
    MIN_DISTANCE = "MIN_DISTANCE"
    MIN_TYPICALITY = "MIN_TYPICALITY"
    MAX_SUM = "MAX_SUM"


@dataclass(frozen=True)
class Stop:
    """A stopping condition that fired: its code, a sentence for logs/reports, its strategy."""

    code: StopCode
    reason: str
    strategy: int | None = None


@dataclass
class StrategyReport:
    """Per-strategy details for logs and the report.

    ``values_at_pick[j]`` belongs to ``SelectionResult.indices[j]`` and is the strategy's own
    quantity at the moment that sample was picked:

    - THRESHOLD: the raw input value;
    - DIVERSITY: Euclidean distance to the nearest already selected (or preselected) sample,
      ``inf`` for the first pick when nothing was preselected;
    - WEIGHTS: the raw input value (NaN when missing);
    - BALANCE: the sample's balance score, normalised so the best candidate of that step is 1;
    - SIMILARITY: the maximum cosine similarity to the query set (in [-1, 1]);
    - TYPICALITY: the normalised typicality (in [0, 1]).

    ``summary`` holds strategy-level facts (sums, class distributions, counts filtered out).
    """

    index: int
    kind: SelectionStrategyType
    input_type: SelectionInputType
    strength: float
    values_at_pick: list[float] = field(default_factory=list)
    summary: dict[str, object] = field(default_factory=dict)


@dataclass
class SelectionResult:
    """The outcome of ``select``.

    ``indices`` are row indices into the arrays given to ``select``, in pick order.
    ``stop_strategy`` is the index (into the strategies list) of the strategy whose stopping
    condition ended the selection, ``None`` when it ended on the sample count or on running out
    of candidates. ``n_candidates`` counts the samples that passed every THRESHOLD.
    """

    indices: list[int]
    stop_reason: str
    stop_code: StopCode
    stop_strategy: int | None
    n_input: int
    n_candidates: int
    strategies: list[StrategyReport]
