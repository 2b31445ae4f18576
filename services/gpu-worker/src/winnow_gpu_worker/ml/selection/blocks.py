"""Row blocks sized so a (rows x columns) float32 temporary stays within a memory budget."""

from __future__ import annotations

from collections.abc import Iterator

# 2**24 float32 values = 64 MiB per temporary: big enough for BLAS to be efficient, small enough
# to never hold an N x N (or N x Q) matrix for large N.
BLOCK_ELEMENTS = 1 << 24


def row_blocks(n_rows: int, n_columns: int, budget: int = BLOCK_ELEMENTS) -> Iterator[slice]:
    """Consecutive slices over ``range(n_rows)`` with ``rows * n_columns <= budget`` (>= 1 row)."""
    step = max(1, budget // max(1, n_columns))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))
