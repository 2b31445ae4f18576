"""The k-center screens' per-step kernel, compiled with numba (see ``kcenter_fused``).

Module-level functions, so that numba's on-disk cache (``cache=True``) keys them by this file:
nested functions that call other compiled functions are compiled again in every process.
Importing this module needs numba; the tracker falls back to torch's and NumPy's ops without.
"""

from __future__ import annotations

from typing import Any

import llvmlite.ir
import numba
import numba.extending
import numpy as np


@numba.extending.intrinsic  # type: ignore[misc]
def _float32_from_bits(typingctx, bits):  # type: ignore[no-untyped-def]  # (numba's signature)
    """The float32 whose bit pattern is the uint32 ``bits`` (a register move)."""
    sig = numba.types.float32(numba.types.uint32)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], llvmlite.ir.FloatType())

    return sig, codegen


def value_at(values: np.ndarray, i: int) -> np.float32:
    """``values[i]`` as float32: float32 values as they are, bfloat16 ones given as their
    uint16 bits (bfloat16 -> float32 is exact: the bits are the float32's upper half).

    This is the plain Python version (what runs with ``NUMBA_DISABLE_JIT``); compiled code
    uses the overload below, the same conversion as a register move.
    """
    if values.dtype == np.uint16:
        word = np.array([np.uint32(values[i]) << np.uint32(16)], dtype=np.uint32)
        return np.float32(word.view(np.float32)[0])
    return np.float32(values[i])


@numba.extending.overload(value_at, inline="always")  # type: ignore[misc]
def _value_at(values, i):  # type: ignore[no-untyped-def]  # (numba matches the names)
    if values.dtype == numba.types.uint16:
        return lambda values, i: _float32_from_bits(np.uint32(values[i]) << np.uint32(16))
    return lambda values, i: np.float32(values[i])


@numba.njit(cache=True, nogil=True, boundscheck=False, fastmath={"reassoc", "contract"})  # type: ignore[misc]
def _dot(a: np.ndarray, b: np.ndarray) -> np.float32:
    # float32 sums in the order the compiler vectorises them: the reference formula allows
    # any order (its rounding is part of the screen's slack, as BLAS's order is)
    s = np.float32(0.0)
    for j in range(a.shape[0]):
        s += a[j] * b[j]
    return s


@numba.njit(cache=True, nogil=True, boundscheck=False)  # type: ignore[misc]
def _candidates(
    values: np.ndarray, lo: int, g: np.ndarray, threshold: Any, mask: np.ndarray, rows: np.ndarray
) -> int:
    """Rows ``r = lo + i`` with ``values[i] - g[r] > threshold`` (both rounded to float32, as
    torch's ops compute the test) into ``rows``; returns how many.

    The test goes to a byte mask first, a loop without branches that the compiler
    vectorises; the mask is then read eight rows at a time (about 1 % of rows are candidates).
    """
    n = values.shape[0]
    for i in range(n):
        mask[i] = np.float32(value_at(values, i) - g[lo + i]) > threshold
    count = 0
    full = n // 8 * 8
    words = mask[:full].view(np.uint64)
    for w in range(full // 8):
        if words[w] != 0:
            for i in range(w * 8, w * 8 + 8):
                rows[count] = lo + i
                count += np.int64(mask[i])
    for i in range(full, n):
        rows[count] = lo + i
        count += np.int64(mask[i])
    return count


@numba.njit(cache=True, nogil=True, boundscheck=False)  # type: ignore[misc]
def step(
    values: np.ndarray,
    lo: int,
    state: tuple[Any, ...],
    x: np.ndarray,
    c: np.ndarray,
    cc: Any,
    threshold: Any,
) -> int:
    """Recompute every candidate row (see ``_candidates``) by the float32 reference formula,
    keep its smaller distance and update ``h`` and ``g`` there; returns how many rows were
    recomputed.

    ``state``: the screen's ``(g, h, m, sq_norms, sq_low, w1, w2, e1, e2, mask, rows, sq)``:
    ``w2`` empty where the screen has none; ``mask`` (uint8), ``rows`` (int64) and ``sq``
    (float32) scratch arrays of at least ``len(values)``. The distances are computed in a loop
    of their own, without branches, so that the reads of the (scattered) candidate rows
    overlap; the updates, whose branches the CPU cannot predict, come after.
    """
    g, h, m, sq_norms, sq_low, w1, w2, e1, e2, mask, rows, sq = state
    count = _candidates(values, lo, g, threshold, mask, rows)
    for k in range(count):
        r = rows[k]
        # the reference formula, rounded as kcenter._finish_sq rounds it
        v = np.float32(np.float32(-2.0) * _dot(x[r], c))
        v = np.float32(v + sq_norms[r])
        sq[k] = np.float32(v + cc)
    for k in range(count):
        r = rows[k]
        v = sq[k]
        if v < np.float32(0.0):
            v = np.float32(0.0)
        old = m[r]
        if (v < old or v != v) and old == old:  # np.minimum: NaN wins
            m[r] = v
            # as Screen.refresh computes them
            hr = np.float32(np.float32(sq_low[r] - v) * np.float32(0.5))
            gr = np.float32(hr - np.float32(w1[r] * e1))
            if w2.shape[0] > 0:
                gr = np.float32(gr - np.float32(w2[r] * e2))
            h[r] = hr
            g[r] = gr
    return count


def warm() -> None:
    """Compile (or load from numba's cache) ``step`` for both value types."""
    rows = np.zeros((4, 2), dtype=np.float32)
    values = np.zeros(4, dtype=np.float32)
    scratch = (np.empty(4, dtype=np.uint8), np.empty(4, dtype=np.int64), values.copy())
    state = (values, values.copy(), values.copy(), values, values, values, values[:0])
    state = (*state, np.float32(0), np.float32(0), *scratch)
    for approx in (values, np.zeros(4, dtype=np.uint16)):
        step(approx, 0, state, rows, rows[0], np.float32(0), np.float32(0))
