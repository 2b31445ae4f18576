"""Selection engine: pick the most valuable subset given resolved per-sample inputs.

Pure NumPy: the pipeline resolves each config entry's input (EMBEDDINGS, SCORES, METADATA,
PREDICTIONS, RANDOM) into arrays, wraps them in ``ResolvedStrategy`` and calls ``select`` for
``resolve_sample_count`` samples.
``validate_combination`` checks a config entry on its own (for the API's 422 answers).

Semantics (Lightly Worker's, reference §1.9; decisions where Lightly is silent are marked *):

1. All THRESHOLD strategies filter first (``value OP threshold``; NaN never passes); their order
   is irrelevant. The rest is ranked in one greedy loop, one sample per step, by
   ``prod_s score_s(x) ** strength_s`` with every ``score_s`` in [0, 1] (``strength`` default 1,
   negative inverts, 0 switches the score off while the strategy's stopping conditions still
   apply*).
2. Ties go to the lowest index*. A zero score is treated as an infinitesimal*: with a positive
   strength the sample is picked only when every other candidate also has a zero score there;
   with a negative strength it is preferred to all positive scores. A missing value (NaN) in a
   WEIGHTS input always ranks last* (see ``objective``).
3. DIVERSITY (rescored every step): distance to the nearest selected or preselected sample,
   normalised to max 1; all 1 before the first pick; ``stopping_condition_minimum_distance``
   stops before a pick closer than it (``diversity``).
4. WEIGHTS (constant): ``value / max``, min-max scaled if some value is negative*;
   ``stoppingConditionMaxSum`` stops after the pick that reaches it*; ``targetRange`` skips
   picks that would exceed ``maxSum`` and reports whether ``minSum`` was reached* (``weights``).
5. BALANCE (rescored every step): first-order reduction of ``KL(target || selected)``, with an
   ``"(other)"`` bucket for unlisted classes and the target renormalised over classes present
   among the candidates* (``balance``).
6. SIMILARITY (constant): ``(1 + max cosine similarity to the query set) / 2``* (``similarity``).
7. TYPICALITY (constant): inverse mean distance to the k nearest neighbours, normalised to max
   1; ``stoppingConditionMinimumTypicality`` stops before a pick below it* (``typicality``).
8. The selection ends at ``n`` picks, when a stopping condition fires, or when no candidate is
   left; no index is picked twice and no THRESHOLD-removed index is ever picked; ``n <= 0``
   selects nothing.
"""

from winnow_common.schemas.selection_rules import (
    ALLOWED_COMBINATIONS,
    ALLOWED_COMBINATIONS_TEXT,
    validate_combination,
    validate_entries,
)
from winnow_gpu_worker.ml.selection.balance import OTHER_CLASS, encode_categories
from winnow_gpu_worker.ml.selection.count import resolve_sample_count
from winnow_gpu_worker.ml.selection.engine import Progress, select
from winnow_gpu_worker.ml.selection.random_input import random_values
from winnow_gpu_worker.ml.selection.resolved import ResolvedStrategy
from winnow_gpu_worker.ml.selection.result import (
    SelectionResult,
    Stop,
    StopCode,
    StrategyReport,
)

__all__ = [
    "ALLOWED_COMBINATIONS",
    "ALLOWED_COMBINATIONS_TEXT",
    "OTHER_CLASS",
    "Progress",
    "ResolvedStrategy",
    "SelectionResult",
    "Stop",
    "StopCode",
    "StrategyReport",
    "encode_categories",
    "random_values",
    "resolve_sample_count",
    "select",
    "validate_combination",
    "validate_entries",
]
