"""Row normalisation of embeddings (NumPy only: the pipeline imports it without torch)."""

from __future__ import annotations

import numpy as np


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Scale each row of ``x`` to unit L2 norm; all-zero rows stay zero. Returns float32."""
    arr = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(arr, axis=-1, keepdims=True)
    safe = np.where(norms > 0, norms, np.float32(1.0))
    return (arr / safe).astype(np.float32, copy=False)
