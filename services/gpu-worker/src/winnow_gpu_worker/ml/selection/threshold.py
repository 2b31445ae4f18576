"""THRESHOLD: a hard filter applied before the greedy loop (order among thresholds irrelevant)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from winnow_gpu_worker.ml.selection.arrays import scalar_values
from winnow_gpu_worker.ml.selection.resolved import ResolvedStrategy
from winnow_gpu_worker.ml.selection.result import StrategyReport

_OPERATIONS: dict[str, np.ufunc] = {
    "SMALLER": np.less,
    "SMALLER_EQUAL": np.less_equal,
    "BIGGER": np.greater,
    "BIGGER_EQUAL": np.greater_equal,
}


def threshold_mask(
    values: npt.NDArray[np.floating], operation: str, threshold: float
) -> npt.NDArray[np.bool_]:
    """``values OP threshold`` elementwise; NaN (a missing value) never passes.

    NumPy comparisons with NaN are already False for all four operations, so missing values are
    dropped without special-casing.
    """
    try:
        op = _OPERATIONS[operation]
    except KeyError:
        raise ValueError(f"unknown THRESHOLD operation {operation!r}") from None
    with np.errstate(invalid="ignore"):
        return np.asarray(op(np.asarray(values, dtype=np.float64), float(threshold)), dtype=bool)


class ThresholdFilter:
    """One THRESHOLD strategy: its pass mask and report."""

    def __init__(self, index: int, resolved: ResolvedStrategy, n: int) -> None:
        st = resolved.entry.strategy
        assert st.operation is not None and st.threshold is not None  # validate_combination
        self.values = scalar_values(resolved.values, n, index)
        self.mask = threshold_mask(self.values, st.operation, st.threshold)
        self.report = StrategyReport(
            index=index,
            kind=resolved.kind,
            input_type=resolved.input_type,
            strength=resolved.strength,
            summary={
                "operation": st.operation,
                "threshold": float(st.threshold),
                "n_passed": int(self.mask.sum()),
                "n_removed": int(n - self.mask.sum()),
            },
        )
