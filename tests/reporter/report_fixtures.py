"""Builders of realistic reports (and example thumbnails) for the plot/PDF tests.

The distributions are computed with the reporter's own analysis helpers from seeded random
values, so every NDPS / CDPS has the exact shape the reporter writes (see REPORT_V2.md);
``*_document`` gives the JSON document, ``*_report`` the validated :class:`Report`.
``full_report`` has metadata, predictions, datapool sets, three UMAP views and six example
pairs; ``minimal_report`` is a two-image run without metadata, predictions, UMAP views or
example pairs.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image

from winnow_common.config import ReporterSettings
from winnow_reporter.analysis.distributions import (
    categorical_distribution,
    numeric_distribution,
)
from winnow_reporter.analysis.savings import annotation_savings
from winnow_reporter.report import Report

RUN_ID = "65f1c0ffee0123456789abcd"
DATASET_ID = "65f1da7a5e70123456789abc"
FULL_SIZES = {
    "nInput": 1234,
    "nCorrupt": 7,
    "nDuplicate": 12,
    "nRemoved": 1065,
    "nSelected": 150,
    "nPreselectedDatapool": 25,
    "nSelectedWithDatapool": 175,
}
N_CLEAN = FULL_SIZES["nRemoved"] + FULL_SIZES["nSelected"]  # 1215
SCATTER_POINTS = 300
N_PAIRS = 6
#: the example image deliberately left out of ``full_thumbnails`` (placeholder test)
MISSING_THUMBNAIL = "frames/cam_2/removed_0002.jpg"


def _general(
    sizes: dict[str, int], *, trained: bool, examples: list[dict[str, Any]]
) -> dict[str, Any]:
    started = 1_700_000_000_000
    return {
        "workerInformation": {"buildVersion": "0.7.3", "buildTime": None},
        "runInformation": {
            "runId": RUN_ID,
            "runUrl": None,
            "startTimestamp": started,
            "endTimestamp": started + 3_725_400,
            "totalProcessingTimeS": 3725.4,
        },
        "datasetInformation": {
            "datasetId": DATASET_ID,
            "datasetName": "Street scenes & night <test>",
            "datasetUrl": None,
            "datasetSizes": dict(sizes),
        },
        "modelInformation": {
            "trained": trained,
            "description": (
                "lightly resnet-18, self-supervised on this dataset"
                if trained
                else "lightly resnet-18 with random weights"
            ),
        },
        "configSummary": {
            "selection.strategy": "DIVERSITY on EMBEDDINGS",
            "selection.n_samples": sizes["nSelected"],
            "embedding.batch_size": 64,
            "corruptness_check": True,
            "selection.proportion_samples": 0.125,
        },
        "selectionInformation": {
            "stopReason": "n_samples reached",
            "strategies": [
                {"strategy": "DIVERSITY", "input": "EMBEDDINGS", "strength": 1.0},
                {"strategy": "WEIGHTS", "input": "METADATA lightly.sharpness", "strength": 0.5},
            ],
        },
        "annotationSavings": annotation_savings(sizes["nRemoved"], ReporterSettings()),
        "selectedAndRemovedImageExamples": examples,
    }


def _scatter_view(rng: np.random.Generator, names: list[str], selected: np.ndarray) -> dict:
    centers = rng.normal(scale=6.0, size=(4, 2))
    points = np.round(centers[rng.integers(0, 4, len(names))] + rng.normal(size=(len(names), 2)), 5)
    examples = sorted(rng.choice(len(names), 6, replace=False).tolist())
    return {
        "input2dEmbeddings": points.tolist(),
        "selectedExcludingDatapool2dEmbeddings": points[selected].tolist(),
        "exampleImages": [{"location": points[i].tolist(), "filename": names[i]} for i in examples],
    }


def _nn_and_cover(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """Nearest-neighbour distances of every set (datapool included) and cover distances."""
    n, n_sel, n_pool = N_CLEAN, FULL_SIZES["nSelected"], FULL_SIZES["nPreselectedDatapool"]
    nn = numeric_distribution(
        {
            "input": rng.gamma(4.0, 0.06, n),
            "selected": rng.gamma(9.0, 0.06, n_sel),
            "random": rng.gamma(4.0, 0.09, n_sel),
            "preselectedDatapool": rng.gamma(6.0, 0.07, n_pool),
            "selectedWithDatapool": rng.gamma(8.5, 0.06, n_sel + n_pool),
        }
    )
    cover = numeric_distribution(
        {
            "selected": rng.gamma(5.0, 0.05, n),
            "random": rng.gamma(5.0, 0.08, n),
            "selectedWithDatapool": rng.gamma(4.5, 0.05, n),
        }
    )
    return nn, cover


def _scatter(rng: np.random.Generator, sel: np.ndarray) -> dict[str, Any]:
    """PCA and UMAP k 5/15/50 views of a seeded sample of ``SCATTER_POINTS`` samples."""
    n = N_CLEAN
    names = [f"frames/cam_{i % 3}/img_{i:05d}.jpg" for i in range(n)]
    scatter_rows = np.sort(rng.choice(n, SCATTER_POINTS, replace=False))
    scatter_names = [names[i] for i in scatter_rows]
    scatter_selected = np.flatnonzero(np.isin(scatter_rows, sel))
    return {
        "nPoints": SCATTER_POINTS,
        "nTotal": n,
        "pcaEmbeddingData": _scatter_view(rng, scatter_names, scatter_selected),
        "umapEmbeddingData": {
            k: _scatter_view(rng, scatter_names, scatter_selected) for k in ("5", "15", "50")
        },
    }


def _metadata(rng: np.random.Generator, by_set: Callable[[np.ndarray], dict]) -> dict[str, Any]:
    """Two lightly.* keys, one custom numeric key and two custom categorical keys."""
    n = N_CLEAN
    sharpness = rng.gamma(3.0, 20.0, n)
    size_bytes = rng.normal(180_000, 25_000, n).round()
    lanes = rng.integers(1, 5, n).astype(float)
    weather = rng.choice(["sunny", "rainy", "fog", "snow"], n, p=[0.55, 0.25, 0.15, 0.05])
    camera = rng.choice(["front left", "front/right", "rear"], n)
    return {
        "lightlyNumeric": {
            "lightly.sharpness": numeric_distribution(by_set(sharpness)),
            "lightly.sizeInBytes": numeric_distribution(by_set(size_bytes)),
        },
        "customNumeric": {"road.lanes": numeric_distribution(by_set(lanes))},
        "customCategorical": {
            "weather": categorical_distribution(
                {s: v.tolist() for s, v in by_set(weather).items()}
            ),
            "camera position/id": categorical_distribution(
                {s: v.tolist() for s, v in by_set(camera).items()}
            ),
        },
    }


def _predictions(
    rng: np.random.Generator,
    sets: dict[str, np.ndarray],
    by_set: Callable[[np.ndarray], dict],
) -> dict[str, Any]:
    """One object-detection task with four categories and two active-learning scores."""
    n = N_CLEAN
    categories = ["car", "person", "bicycle", "traffic light"]
    objects = [
        list(rng.choice(categories, rng.integers(0, 6), p=[0.5, 0.3, 0.1, 0.1])) for _ in range(n)
    ]
    per_sample = {
        c: numeric_distribution(
            by_set(np.array([sum(1 for o in objs if o == c) for objs in objects], dtype=float))
        )
        for c in categories
    }
    return {
        "object-detection/street": {
            "taskType": "object-detection",
            "categoryIdToName": {str(i): c for i, c in enumerate(categories)},
            "categoryDistribution": categorical_distribution(
                {s: [o for i in idx for o in objects[i]] for s, idx in sets.items()},
                categories=categories,
            ),
            "categoryToCountsPerSample": per_sample,
            "activeLearningScoreDistributions": {
                "uncertainty_entropy": numeric_distribution(
                    by_set(rng.beta(2.0, 5.0, n)), value_range=(0.0, 1.0)
                ),
                "object_frequency": numeric_distribution(
                    by_set(rng.beta(5.0, 2.0, n)), value_range=(0.0, 1.0)
                ),
            },
        }
    }


def full_document(*, trained: bool = False) -> dict[str, Any]:
    """``full_report`` as the JSON document (camelCase keys) the reporter writes."""
    rng = np.random.default_rng(7)
    n, n_sel = N_CLEAN, FULL_SIZES["nSelected"]
    sel = np.sort(rng.choice(n, n_sel, replace=False))
    rnd = np.sort(rng.choice(n, n_sel, replace=False))
    sets = {"input": np.arange(n), "selected": sel, "random": rnd}

    def by_set(values: np.ndarray) -> dict[str, np.ndarray]:
        return {s: values[idx] for s, idx in sets.items()}

    nn, cover = _nn_and_cover(rng)
    scatter = _scatter(rng, sel)
    metadata = _metadata(rng, by_set)
    predictions = _predictions(rng, sets, by_set)
    examples = [
        {
            "selectedImage": f"frames/cam_{i % 3}/selected_{i:04d}.jpg",
            "removedImage": f"frames/cam_{i % 3}/removed_{i:04d}.jpg",
            "distance": round(0.05 + 0.0371 * i, 6),
        }
        for i in range(N_PAIRS)
    ]
    return {
        "version": 2,
        "generalInformation": _general(FULL_SIZES, trained=trained, examples=examples),
        "datasetAnalysis": {
            "embeddingInformation": {
                "distanceToNearestNeighborInSet": nn,
                "distanceToCoverInput": cover,
                "scatterPlotData": scatter,
            },
            "metadataInformation": metadata,
        },
        "predictionTaskInformation": predictions,
        "notes": ["Custom metadata 'free_text' has more than 50 distinct values; left out."],
    }


def full_report(*, trained: bool = False) -> Report:
    """A run with metadata, predictions, datapool, PCA + UMAP k 5/15/50 and six example pairs."""
    return Report.model_validate(full_document(trained=trained))


def minimal_document() -> dict[str, Any]:
    """``minimal_report`` as the JSON document the reporter writes."""
    sizes = {
        "nInput": 2,
        "nCorrupt": 0,
        "nDuplicate": 0,
        "nRemoved": 0,
        "nSelected": 2,
        "nPreselectedDatapool": 0,
        "nSelectedWithDatapool": 2,
    }
    d = [0.8123, 0.8123]
    points = [[-0.5, 0.0], [0.5, 0.0]]
    view = {
        "input2dEmbeddings": points,
        "selectedExcludingDatapool2dEmbeddings": points,
        "exampleImages": [
            {"location": points[0], "filename": "a.png"},
            {"location": points[1], "filename": "b.png"},
        ],
    }
    return {
        "version": 2,
        "generalInformation": _general(sizes, trained=False, examples=[]),
        "datasetAnalysis": {
            "embeddingInformation": {
                "distanceToNearestNeighborInSet": numeric_distribution(
                    {"input": d, "selected": d, "random": d}
                ),
                "distanceToCoverInput": numeric_distribution(
                    {"selected": [0.0, 0.0], "random": [0.0, 0.0]}
                ),
                "scatterPlotData": {
                    "nPoints": 2,
                    "nTotal": 2,
                    "pcaEmbeddingData": view,
                    "umapEmbeddingData": {},
                },
            },
            "metadataInformation": {
                "lightlyNumeric": {},
                "customNumeric": {},
                "customCategorical": {},
            },
        },
        "predictionTaskInformation": {},
        "notes": [
            "UMAP views left out: only 2 point(s), UMAP needs at least 4.",
            "No lightly.* metadata was computed for this run's samples.",
            "No custom metadata (.lightly/metadata/) for this run's samples.",
            "No predictions (.lightly/predictions/) for this run's samples.",
            "No selected/removed example pairs: the selection kept or removed everything.",
        ],
    }


def minimal_report() -> Report:
    """Two clean images, both selected: no metadata, predictions, UMAP views or pairs."""
    return Report.model_validate(minimal_document())


def thumbnail(seed: int, size: tuple[int, int] = (96, 64)) -> bytes:
    """A small PNG: a coloured gradient with a block, distinct per seed."""
    rng = np.random.default_rng(seed)
    w, h = size
    base = rng.integers(40, 215, 3)
    ramp = np.linspace(0, 40, w)[None, :, None]
    pixels = np.clip(base[None, None, :] + ramp + np.zeros((h, 1, 1)), 0, 255).astype(np.uint8)
    x, y = rng.integers(0, w // 2), rng.integers(0, h // 2)
    pixels[y : y + h // 3, x : x + w // 3] = 255 - base
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def full_thumbnails(report: Report) -> dict[str, bytes]:
    """Thumbnails of every example image except ``MISSING_THUMBNAIL``."""
    pairs = report.general_information.selected_and_removed_image_examples
    names = sorted({p.selected_image for p in pairs} | {p.removed_image for p in pairs})
    return {name: thumbnail(i) for i, name in enumerate(names) if name != MISSING_THUMBNAIL}


@lru_cache(maxsize=2)
def _rendered(kind: str) -> tuple[Report, dict[str, bytes]]:
    from winnow_reporter.plots import render_plots

    report = full_report() if kind == "full" else minimal_report()
    thumbs = full_thumbnails(report) if kind == "full" else {}
    return report, render_plots(report, thumbs)


def rendered_full() -> tuple[Report, dict[str, bytes]]:
    """``full_report()`` and its plots, rendered once per test session (do not mutate)."""
    return _rendered("full")


def rendered_minimal() -> tuple[Report, dict[str, bytes]]:
    """``minimal_report()`` and its plots, rendered once per test session (do not mutate)."""
    return _rendered("minimal")
