"""Annotation savings: what labelling the removed (not selected) images would have cost.

For each task type (prices and annotator seconds from :class:`ReporterSettings`):
``costSavings = n x cost per image`` (USD, rounded to cents) and
``co2Savings = n x seconds per image / 3600 x kg CO2 per annotator hour`` (kg, rounded to
grams).
"""

from __future__ import annotations

from typing import Any

from winnow_common.config import ReporterSettings

__all__ = ["annotation_savings"]


def _task(n: int, cost: float, seconds: float, co2_kg_per_hour: float) -> dict[str, float]:
    return {
        "costSavings": round(n * float(cost), 2),
        "co2Savings": round(n * float(seconds) / 3600.0 * float(co2_kg_per_hour), 3),
        "costPerImage": float(cost),
        "secondsPerImage": float(seconds),
    }


def annotation_savings(n_removed: int, settings: ReporterSettings) -> dict[str, Any]:
    """The ``annotationSavings`` section of report_v2.json for ``n_removed`` images.

    Raises ``ValueError`` for a negative ``n_removed``.
    """
    n = int(n_removed)
    if n < 0:
        raise ValueError(f"n_removed must be >= 0, got {n_removed}")
    kg_h = float(settings.co2_kg_per_hour)
    return {
        "imageClassification": _task(
            n, settings.cost_classification, settings.seconds_classification, kg_h
        ),
        "objectDetection": _task(n, settings.cost_detection, settings.seconds_detection, kg_h),
        "semanticSegmentation": _task(
            n, settings.cost_segmentation, settings.seconds_segmentation, kg_h
        ),
        "nImagesNotLabelled": n,
        "co2KgPerHour": kg_h,
    }
