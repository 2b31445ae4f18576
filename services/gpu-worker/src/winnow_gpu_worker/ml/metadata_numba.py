"""``uniformRowRatio`` and ``sharpness``'s per-pixel passes, compiled with numba (see
``ml.metadata``).

Each pass replaces several NumPy passes (each with its own temporary array) by one loop, and
computes the same numbers: the float32 operations of PyTorch's bilinear resize and of the
Laplacian, value by value in the order the earlier NumPy version (kept in
``tests/gpu_worker/test_ml_metadata_kernels.py`` as the reference) applied them. The sums of
the response are accumulated in float64 (NumPy summed the squares in float32). The
histograms stay Pillow's: its C loop beats a compiled one here once the copy into NumPy is
counted.

Module-level functions with ``cache=True``: numba's on-disk cache keys them by this file, so
a process loads the machine code instead of compiling it.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, boundscheck=False)  # type: ignore[misc]
def resized(
    pixels: np.ndarray,
    y0: np.ndarray,
    y1: np.ndarray,
    fy: np.ndarray,
    x0: np.ndarray,
    x1: np.ndarray,
    fx: np.ndarray,
) -> np.ndarray:
    """``pixels`` (uint8, 2-D) resized bilinearly to ``len(y0) x len(x0)``: float32 values.

    The source rows/columns and float32 weights are PyTorch's (``metadata._source_coords``);
    per value the same float32 steps as the NumPy version: ``top + (bottom - top) * fy`` for
    both source columns, then ``left + (right - left) * fx``.
    """
    out = np.empty((y0.shape[0], x0.shape[0]), dtype=np.float32)
    for r in range(y0.shape[0]):
        top, bottom, wy = pixels[y0[r]], pixels[y1[r]], fy[r]
        for c in range(x0.shape[0]):
            t0, t1 = np.float32(top[x0[c]]), np.float32(top[x1[c]])
            left = t0 + (np.float32(bottom[x0[c]]) - t0) * wy
            right = t1 + (np.float32(bottom[x1[c]]) - t1) * wy
            out[r, c] = left + (right - left) * fx[c]
    return out


@numba.njit(cache=True, nogil=True, boundscheck=False)  # type: ignore[misc]
def laplacian_stats(
    values: np.ndarray, threshold: np.float32, row_ratio: np.float32
) -> tuple[int, int, float, float]:
    """The 3x3 Laplacian ``[[-1,-1,-1],[-1,8,-1],[-1,-1,-1]]`` of ``values`` (float32, both
    sides >= 3), valid region: (uniform rows, rows, sum, sum of squares) of the response.

    A pixel is uniform when ``|response| < threshold``; a row when its float32 fraction of
    uniform pixels is ``> row_ratio``. The response is ``9 * centre - box`` with the 3x3 box
    summed as the NumPy version sums it (three columns, then three rows), in float32.
    """
    height, width = values.shape
    out_w = width - 2
    cols = np.empty((3, out_w), dtype=np.float32)  # the 3-column sums of three input rows
    uniform_rows = 0
    total = 0.0
    squares = 0.0
    for y in range(height):
        slot = y % 3
        row = values[y]
        for c in range(out_w):
            s = row[c] + row[c + 1]
            cols[slot, c] = s + row[c + 2]
        if y < 2:
            continue
        first, second, third = (y - 2) % 3, (y - 1) % 3, slot
        centre = values[y - 1]
        uniform = 0
        for c in range(out_w):
            box = cols[first, c] + cols[second, c]
            box = box + cols[third, c]
            response = centre[c + 1] * np.float32(9.0) - box
            total += response
            squares += np.float64(response) * np.float64(response)
            if abs(response) < threshold:
                uniform += 1
        if np.float32(uniform) / np.float32(out_w) > row_ratio:
            uniform_rows += 1
    return uniform_rows, height - 2, total, squares
