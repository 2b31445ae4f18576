"""The analysis sections of the report: embeddings, metadata and predictions per sample set.

Every sample and the random baseline are seeded: re-running gives the same sections.
Pairwise statistics use seeded samples of each set and blockwise distances; nothing is N x N.
A section without data stays empty and adds a line to ``notes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from winnow_common.config import ReporterSettings
from winnow_reporter.analysis.distributions import categorical_distribution, numeric_distribution
from winnow_reporter.analysis.embedding import (
    cover_distances,
    example_pairs,
    nearest_neighbor_distances,
    prefetch_2d,
    project_2d,
)
from winnow_reporter.report.model import (
    CategoricalDistributionPerSet,
    EmbeddingInformation,
    ExampleImage,
    ExamplePair,
    MetadataInformation,
    NumericDistributionPerSet,
    PredictionTask,
    ScatterData,
    ScatterPlotData,
)
from winnow_reporter.report.run_folder import RunOutputs, is_number

__all__ = [
    "MAX_CATEGORIES",
    "SCATTER_EXAMPLES",
    "Sets",
    "embedding_section",
    "examples",
    "metadata_section",
    "predictions_section",
]

# Custom categorical metadata with more distinct values is not a useful bar chart.
MAX_CATEGORIES = 50
# Example points marked in the scatter plots.
SCATTER_EXAMPLES = 6


@dataclass
class Sets:
    """Row indices of each set into the analysis matrix (run samples, then datapool rows)."""

    input: np.ndarray
    selected: np.ndarray
    random: np.ndarray
    datapool: np.ndarray | None = None

    def run_sets(self) -> dict[str, np.ndarray]:
        """This run's sets (no datapool), by wire name."""
        return {"input": self.input, "selected": self.selected, "random": self.random}


def _ndps(values_by_set: Mapping[str, Any], **kwargs: Any) -> NumericDistributionPerSet:
    return NumericDistributionPerSet.model_validate(numeric_distribution(values_by_set, **kwargs))


def _cdps(labels_by_set: Mapping[str, Any], **kwargs: Any) -> CategoricalDistributionPerSet:
    return CategoricalDistributionPerSet.model_validate(
        categorical_distribution(labels_by_set, **kwargs)
    )


# --------------------------------------------------------------------------------------
# embeddings
# --------------------------------------------------------------------------------------


def embedding_section(
    outputs: RunOutputs, sets: Sets, settings: ReporterSettings, notes: list[str]
) -> EmbeddingInformation:
    """Nearest-neighbour and cover distances per set, and the 2-D views."""
    x = outputs.embeddings
    if sets.datapool is not None and outputs.datapool_embeddings is not None:
        x = np.concatenate([x, outputs.datapool_embeddings])
    seed, q = settings.random_seed, settings.analysis_points
    nn_sets = sets.run_sets()
    cover_sets = {"selected": sets.selected, "random": sets.random}
    if sets.datapool is not None:
        with_pool = np.concatenate([sets.selected, sets.datapool])
        nn_sets |= {"preselectedDatapool": sets.datapool, "selectedWithDatapool": with_pool}
        cover_sets["selectedWithDatapool"] = with_pool
    nn = {
        name: nearest_neighbor_distances(x, members, max_queries=q, seed=seed)
        for name, members in nn_sets.items()
    }
    # Coverage is measured over this run's input samples only.
    cover = {
        name: cover_distances(x[: len(outputs.filenames)], members, max_queries=q, seed=seed)
        if name != "selectedWithDatapool"
        else _cover_with_pool(x, len(outputs.filenames), members, q, seed)
        for name, members in cover_sets.items()
    }
    return EmbeddingInformation(
        distance_to_nearest_neighbor_in_set=_ndps(nn),
        distance_to_cover_input=_ndps(cover),
        scatter_plot_data=_scatter(outputs, sets, settings, notes),
    )


def _cover_with_pool(
    x: np.ndarray, n_run: int, members: np.ndarray, max_queries: int, seed: int
) -> np.ndarray:
    """Distances of (a seeded sample of) this run's input samples to the nearest member.

    ``members`` may include datapool rows (beyond ``n_run``), which are never queries.
    """
    return cover_distances(
        x, members, max_queries=max_queries, seed=seed, query_rows=np.arange(n_run)
    )


def prefetch_scatter(embeddings: np.ndarray, settings: ReporterSettings) -> bool:
    """Start the scatter plots' projection of a run's embeddings now, where a standalone run
    has its projection process (False where not); the report later takes the result."""
    return prefetch_2d(embeddings, **_scatter_projection(settings))


def _scatter_projection(settings: ReporterSettings) -> dict[str, int]:
    """The scatter plots' ``project_2d`` arguments besides the embeddings."""
    return {"max_points": settings.scatter_points, "seed": settings.random_seed}


def _scatter(
    outputs: RunOutputs, sets: Sets, settings: ReporterSettings, notes: list[str]
) -> ScatterPlotData:
    projection = project_2d(outputs.embeddings, **_scatter_projection(settings))
    notes.extend(projection.notes)
    selected = np.zeros(len(outputs.filenames), dtype=bool)
    selected[sets.selected] = True
    sampled = projection.indices
    rng = np.random.default_rng(settings.random_seed)
    example_rows = np.sort(
        rng.choice(len(sampled), size=min(SCATTER_EXAMPLES, len(sampled)), replace=False)
    )

    def view(points: np.ndarray) -> ScatterData:
        pts = np.round(np.asarray(points, dtype=np.float64), 5)
        return ScatterData(
            input_2d_embeddings=pts.tolist(),
            selected_excluding_datapool_2d_embeddings=pts[selected[sampled]].tolist(),
            example_images=[
                ExampleImage(location=pts[r].tolist(), filename=outputs.filenames[int(sampled[r])])
                for r in example_rows
            ],
        )

    return ScatterPlotData(
        n_points=len(sampled),
        n_total=len(outputs.filenames),
        pca_embedding_data=view(projection.pca),
        umap_embedding_data={str(k): view(v) for k, v in sorted(projection.umap.items())},
    )


def examples(outputs: RunOutputs, sets: Sets, seed: int) -> list[ExamplePair]:
    """Selected images next to their nearest removed neighbours, closest first."""
    removed_mask = np.ones(len(outputs.filenames), dtype=bool)
    removed_mask[sets.selected] = False
    pairs = example_pairs(
        outputs.embeddings,
        sets.selected,
        np.flatnonzero(removed_mask),
        outputs.n_example_images,
        seed=seed,
    )
    return [
        ExamplePair(
            selected_image=outputs.filenames[s],
            removed_image=outputs.filenames[r],
            distance=round(float(d), 6),
        )
        for s, r, d in pairs
    ]


# --------------------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------------------


def _by_set(values: Sequence[Any], sets: Sets) -> dict[str, list[Any]]:
    return {name: [values[i] for i in idx] for name, idx in sets.run_sets().items()}


def _numeric_by_set(values: Sequence[Any], sets: Sets) -> dict[str, np.ndarray]:
    array = np.array([v if is_number(v) else np.nan for v in values], dtype=np.float64)
    return {name: array[idx] for name, idx in sets.run_sets().items()}


def metadata_section(outputs: RunOutputs, sets: Sets, notes: list[str]) -> MetadataInformation:
    """Distributions of the ``lightly.*`` and custom metadata per set."""
    section = MetadataInformation()
    for key, column in sorted(outputs.lightly_metadata.items()):
        section.lightly_numeric[f"lightly.{key}"] = _ndps(
            {name: column[idx] for name, idx in sets.run_sets().items()}
        )
    if not outputs.lightly_metadata:
        notes.append("No lightly.* metadata was computed for this run's samples.")
    if not outputs.custom_metadata:
        notes.append("No custom metadata (.lightly/metadata/) for this run's samples.")
    for path, values in sorted(outputs.custom_metadata.items()):
        present = [v for v in values if v is not None]
        if present and all(is_number(v) for v in present):
            section.custom_numeric[path] = _ndps(_numeric_by_set(values, sets))
            continue
        labels = [None if v is None else _category(v) for v in values]
        if len({label for label in labels if label is not None}) > MAX_CATEGORIES:
            notes.append(
                f"Custom metadata {path!r} has more than {MAX_CATEGORIES} distinct values; "
                "left out of the report."
            )
            continue
        section.custom_categorical[path] = _cdps(_by_set(labels, sets))
    return section


def _category(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------------------
# predictions
# --------------------------------------------------------------------------------------


def predictions_section(
    outputs: RunOutputs, sets: Sets, notes: list[str]
) -> dict[str, PredictionTask]:
    """Per prediction task: category distributions, objects per sample and score histograms."""
    if not outputs.predictions:
        notes.append("No predictions (.lightly/predictions/) for this run's samples.")
        return {}
    return {
        task: _prediction_task(outputs, sets, digest)
        for task, digest in sorted(outputs.predictions.items())
    }


def _prediction_task(outputs: RunOutputs, sets: Sets, digest: dict[str, Any]) -> PredictionTask:
    samples = digest.get("samples") or {}
    per_sample = [samples.get(name) or {} for name in outputs.filenames]
    names = [str(v) for _, v in sorted(digest["categoryIdToName"].items(), key=_id_order)]
    objects = [s.get("categories") or [] for s in per_sample]
    flat = {
        set_name: [c for i in idx for c in objects[i]] for set_name, idx in sets.run_sets().items()
    }
    counts = {
        name: _ndps(_numeric_by_set([sum(1 for c in o if c == name) for o in objects], sets))
        for name in names
    }
    score_names = sorted({k for s in per_sample for k in (s.get("scores") or {})})
    scores = {
        score: _ndps(
            _numeric_by_set([(s.get("scores") or {}).get(score) for s in per_sample], sets),
            value_range=(0.0, 1.0),
        )
        for score in score_names
    }
    return PredictionTask(
        task_type=digest.get("taskType", ""),
        category_id_to_name=dict(digest["categoryIdToName"]),
        category_distribution=_cdps(flat, categories=names),
        category_to_counts_per_sample=counts,
        active_learning_score_distributions=scores,
    )


def _id_order(item: tuple[str, Any]) -> tuple[int, str]:
    key = item[0]
    return (int(key), key) if key.lstrip("-").isdigit() else (0, key)
