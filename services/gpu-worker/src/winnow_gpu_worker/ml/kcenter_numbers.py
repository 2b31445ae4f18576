"""Rounding facts and small types of the k-center screens (``kcenter_screen``).

The unit roundoffs the error bounds are written in, float32 -> bfloat16 rounding as torch does
it (to nearest, ties to even) on NumPy arrays, an approximation with its error bound, the
error a screen raises when its kernel cannot be used, and row indices as torch tensors.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

# Unit roundoff of bfloat16 (8 significant bits, round to nearest even) and of float32.
BF16_U = 2.0**-8
F32_U = 2.0**-24


def round_bf16(v: np.ndarray) -> np.ndarray:
    """float32 -> nearest bfloat16 (ties to even), as uint32 bit patterns of float32 values."""
    u = v.view(np.uint32)
    return (u + (np.uint32(0x7FFF) + ((u >> np.uint32(16)) & np.uint32(1)))) & np.uint32(0xFFFF0000)


class KernelUnavailable(Exception):
    """The quantized kernel is missing here or did not compute what its bound assumes."""


class Approx(NamedTuple):
    """Approximate dot products of every row with one point, and their error bound.

    ``|x_i . c - values_i| <= w1_i * e1 + w2_i * e2`` for the screen's per-row weights.
    """

    values: Any  # bfloat16 tensor (N,), or float32 tensors, one per row block
    e1: float
    e2: float


def torch_index(rows: np.ndarray, device: Any = None) -> Any:
    """``rows`` as an int64 torch tensor on ``device`` (the CPU when None)."""
    import torch

    t = torch.from_numpy(np.asarray(rows, dtype=np.int64))
    return t if device is None else t.to(device)


def round_up_8bits(v: float) -> float:
    """The smallest float32 with at most 8 significant bits that is >= v (v > 0, finite)."""
    bits = round_bf16(np.array([v], dtype=np.float32))
    r = float(bits.view(np.float32)[0])
    if r < v:
        r = float((bits + np.uint32(0x10000)).view(np.float32)[0])
    return r
