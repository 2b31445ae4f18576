"""The int8 screen's candidate test in one pass over the rows (numba), where numba is installed.

With torch's elementwise ops the test ``approx - g > threshold`` costs three passes over N
(subtract into a buffer, compare into a mask, collect the mask's indices): on 100,000 rows
about a quarter of a millisecond per step, as much as the int8 kernel itself once one kernel
pass serves several steps. Here one loop reads ``approx`` and ``g`` once and writes only the
candidates' indices (typically 1 % of the rows).

The arithmetic is torch's: ``approx[i] - g[i]`` rounded to float32, compared with the float32
threshold, so the candidates are exactly those of the torch path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_kernel: dict[str, Callable[..., int]] | None = None
_tried = False


def _compile() -> dict[str, Callable[..., int]] | None:
    try:
        import numba
    except ImportError:  # numba comes with the reporter's umap-learn; without it: torch ops
        return None

    @numba.njit(cache=True, nogil=True, boundscheck=False)  # type: ignore[misc]
    def above(
        approx: np.ndarray, offset: np.ndarray, threshold: np.float32, base: int, out: np.ndarray
    ) -> int:
        n = 0
        for i in range(approx.shape[0]):
            if np.float32(approx[i] - offset[i]) > threshold:
                out[n] = base + i
                n += 1
        return n

    @numba.njit(cache=True, nogil=True, boundscheck=False)  # type: ignore[misc]
    def above_bf16(
        bits: np.ndarray, offset: np.ndarray, threshold: np.float32, base: int, out: np.ndarray
    ) -> int:
        # bfloat16 -> float32 is exact: the bf16 bits are the float32's upper half
        word = np.empty(1, dtype=np.uint32)
        value = word.view(np.float32)
        n = 0
        for i in range(bits.shape[0]):
            word[0] = np.uint32(bits[i]) << np.uint32(16)
            if np.float32(value[0] - offset[i]) > threshold:
                out[n] = base + i
                n += 1
        return n

    return {"float32": above, "bfloat16": above_bf16}  # type: ignore[return-value]


def kernel() -> dict[str, Callable[..., int]] | None:
    """The compiled candidate tests by value type ("float32", "bfloat16"), or None without
    numba (compiled on first use, then loaded from numba's cache)."""
    global _kernel, _tried
    if not _tried:
        _tried = True
        try:
            _kernel = _compile()
        except Exception as exc:  # a numba that cannot compile here: the torch ops still work
            log.debug("fused candidate test unavailable: %s", exc)
            _kernel = None
    return _kernel


def warm() -> bool:
    """Compile (or load from numba's cache) and run the test once on a few values, so that a
    screen's build time includes this one-time cost. False without numba."""
    kernels = kernel()
    if kernels is None:
        return False
    values, out = np.zeros(4, dtype=np.float32), np.empty(4, dtype=np.int64)
    kernels["float32"](values, values, np.float32(0.0), 0, out)
    kernels["bfloat16"](np.zeros(4, dtype=np.uint16), values, np.float32(0.0), 0, out)
    return True


def candidates_above(
    blocks: list[tuple[int, int]],
    parts: list[Any],
    offset: np.ndarray,
    threshold: float,
    out: np.ndarray,
) -> np.ndarray | None:
    """Indices ``i`` (ascending) with ``parts[block][i - lo] - offset[i] > threshold``.

    ``parts``: one CPU tensor (float32 or bfloat16) or float32 array per row block
    ``(lo, hi)``; ``out``: an int64 buffer of at least N entries. None when numba is not
    available or a part has another type (the caller then uses torch's ops).
    """
    kernels = kernel()
    if kernels is None:
        return None
    limit = np.float32(threshold)
    count = 0
    for (lo, hi), part in zip(blocks, parts, strict=True):
        dtype = str(getattr(part, "dtype", "")).removeprefix("torch.")
        if dtype == "bfloat16":
            import torch

            values = part.view(torch.int16).numpy().view(np.uint16)
        elif dtype == "float32":
            values = part.numpy() if hasattr(part, "numpy") else part
        else:
            return None
        count += kernels[dtype](values, offset[lo:hi], limit, lo, out[count:])
    return out[:count].copy()
