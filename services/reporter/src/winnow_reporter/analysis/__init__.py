"""Pure analysis functions behind report_v2.json (no I/O).

- :mod:`.distributions`: numeric histograms with metrics (NDPS), categorical counts with
  Gini imbalance and normalised entropy (CDPS), and the seeded random baseline.
- :mod:`.embedding`: blockwise nearest-neighbour and cover distances, example
  selected/removed pairs and the 2-D PCA/UMAP projections.
- :mod:`.savings`: annotation cost and CO2 savings.

umap-learn (and numba) is imported lazily, only when a UMAP view is computed.
"""

from __future__ import annotations

from winnow_reporter.analysis.distributions import (
    categorical_distribution,
    gini_imbalance,
    normalized_entropy,
    numeric_distribution,
    random_baseline,
)
from winnow_reporter.analysis.embedding import (
    Projection,
    cover_distances,
    example_pairs,
    nearest_neighbor_distances,
    project_2d,
)
from winnow_reporter.analysis.savings import annotation_savings

__all__ = [
    "Projection",
    "annotation_savings",
    "categorical_distribution",
    "cover_distances",
    "example_pairs",
    "gini_imbalance",
    "nearest_neighbor_distances",
    "normalized_entropy",
    "numeric_distribution",
    "project_2d",
    "random_baseline",
]
