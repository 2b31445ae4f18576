"""Shape and dtype checks for the arrays the caller resolved (errors name the strategy)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def scalar_values(values: np.ndarray, n: int, index: int) -> npt.NDArray[np.float64]:
    """A ``(N,)`` float64 copy of a scalar input (``(N, 1)`` accepted); NaN allowed, inf not."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.shape != (n,):
        raise ValueError(
            f"strategies[{index}]: expected {n} scalar values (shape ({n},)), got {arr.shape}"
        )
    if np.isinf(arr).any():
        raise ValueError(f"strategies[{index}]: values must be finite numbers or NaN (missing)")
    return arr


def embedding_matrix(
    values: np.ndarray, n: int | None, index: int, what: str = "embeddings"
) -> npt.NDArray[np.float32]:
    """A finite ``(N, D)`` float32 matrix (``n=None`` accepts any row count)."""
    arr = np.asarray(values, dtype=np.float32)
    if arr.ndim != 2 or (n is not None and arr.shape[0] != n) or arr.shape[1] == 0:
        rows = "N" if n is None else str(n)
        raise ValueError(
            f"strategies[{index}]: {what} must have shape ({rows}, D) with D >= 1, got {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"strategies[{index}]: {what} contain NaN or infinite values")
    return arr


def row_count(values: np.ndarray) -> int:
    """Number of samples a resolved input describes (its first dimension)."""
    arr = np.asarray(values)
    if arr.ndim == 0:
        raise ValueError("resolved values must be an array with one row per sample")
    return int(arr.shape[0])
