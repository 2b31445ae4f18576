"""A screened k-center step in one pass over the rows (numba), where numba is installed.

With torch's and NumPy's elementwise ops a screened step costs several passes over N: the
candidate test ``approx - g > threshold`` (subtract into a buffer, compare into a mask, collect
the mask's indices), then gathering the candidate rows, recomputing them, scattering the
smaller distances back and refreshing ``h`` and ``g`` at those rows, each a NumPy call with its
own overhead. On 100,000 rows that was about 0.25 ms per step, more than the screening kernel
itself once one kernel pass serves several steps. ``kcenter_numba.step`` does all of it in one
compiled call that reads ``approx`` and ``g`` once.

The arithmetic is the other path's: the test rounds ``approx[i] - g[i]`` to float32 as torch
does, a candidate's distance is the float32 reference formula, and ``h`` and ``g`` are rounded
as ``Screen.refresh`` rounds them (``tests/gpu_worker/test_kcenter.py``).
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_step: Callable[..., int] | None = None
_tried = False


def kernel() -> Callable[..., int] | None:
    """The compiled ``kcenter_numba.step``, or None without numba (compiled on first use,
    then loaded from numba's cache)."""
    global _step, _tried
    if not _tried:
        _tried = True
        try:
            from winnow_gpu_worker.ml import kcenter_numba

            kcenter_numba.warm()
            _step = kcenter_numba.step
        except ImportError:  # numba is a worker dependency; without it: torch and NumPy ops
            _step = None
        except Exception as exc:  # a numba that cannot compile here: the other ops still work
            log.debug("fused k-center step unavailable: %s", exc)
            _step = None
    return _step


def warm() -> bool:
    """Compile (or load from numba's cache) the step, so that a screen's build time includes
    this one-time cost. False without numba."""
    return kernel() is not None


def loaded() -> bool:
    """Whether this process compiled or loaded the step already (a screen built now does not
    pay for it)."""
    return _tried


_LOAD_SCRIPT = """
import time
from winnow_gpu_worker.ml import kcenter_numba
start = time.perf_counter()
kcenter_numba.warm()
print((time.perf_counter() - start) * 1e3)
"""


def load_ms() -> float:
    """Milliseconds a new process takes to load the compiled step from numba's cache (0.0
    without numba or when it cannot be measured).

    Measured in a child process once this one has compiled it (so the cache is there): what
    the first screened selection of every later run pays on top of its build time. Measured
    once per process.
    """
    global _load_ms
    if _load_ms is None:
        _load_ms = _measure_load_ms() if warm() else 0.0
    return _load_ms


_load_ms: float | None = None


def _measure_load_ms() -> float:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _LOAD_SCRIPT],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return float(done.stdout.split()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
        log.debug("could not time loading the fused step: %s", exc)
        return 0.0


def as_array(part: Any) -> np.ndarray | None:
    """A screen's values as a NumPy array the step takes: float32 as is, bfloat16 as its
    uint16 bits; None for another type."""
    dtype = str(getattr(part, "dtype", "")).removeprefix("torch.")
    if dtype == "bfloat16":
        import torch

        return part.view(torch.int16).numpy().view(np.uint16)  # type: ignore[no-any-return]
    if dtype == "float32":
        return part.numpy() if hasattr(part, "numpy") else part  # type: ignore[no-any-return]
    return None


def scratch(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The step's scratch arrays (mask, rows, distances) for ``n`` rows."""
    return np.empty(n, dtype=np.uint8), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float32)
