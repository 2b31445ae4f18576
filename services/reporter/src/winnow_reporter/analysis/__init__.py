"""Pure analysis functions behind report_v2.json (no I/O).

- :mod:`.distributions`: numeric histograms with metrics (NDPS), categorical counts with
  Gini imbalance and normalised entropy (CDPS), and the seeded random baseline.
- :mod:`.embedding`: blockwise nearest-neighbour and cover distances, example
  selected/removed pairs and the 2-D PCA/UMAP projections.
- :mod:`.savings`: annotation cost and CO2 savings.

umap-learn (and numba) is imported lazily, only when a UMAP view is computed.
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> the module that defines it. Resolved on first use (PEP 562), so that importing one
# module of this package (a standalone run forks its projection process right after importing
# ``projection_process``) does not import SciPy and the rest first.
_EXPORTS = {
    "categorical_distribution": "distributions",
    "gini_imbalance": "distributions",
    "normalized_entropy": "distributions",
    "numeric_distribution": "distributions",
    "random_baseline": "distributions",
    "Projection": "embedding",
    "cover_distances": "embedding",
    "example_pairs": "embedding",
    "nearest_neighbor_distances": "embedding",
    "project_2d": "embedding",
    "annotation_savings": "savings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
