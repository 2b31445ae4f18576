"""Re-export of the shared selection rules (``winnow_common.schemas.selection_rules``).

The rules live in the shared package so the API (422 at config creation) and the selection engine
apply the same checks with the same messages; import from there in new code.
"""

from __future__ import annotations

from winnow_common.schemas.selection_rules import (
    ALLOWED_COMBINATIONS,
    ALLOWED_COMBINATIONS_TEXT,
    PREDICTION_NAMES,
    TARGET_RANGE_KEYS,
    combination_problems,
    parse_target_range,
    selection_problems,
    validate_combination,
    validate_entries,
)

__all__ = [
    "ALLOWED_COMBINATIONS",
    "ALLOWED_COMBINATIONS_TEXT",
    "PREDICTION_NAMES",
    "TARGET_RANGE_KEYS",
    "combination_problems",
    "parse_target_range",
    "selection_problems",
    "validate_combination",
    "validate_entries",
]
