"""Tests for winnow_reporter.analysis.savings.annotation_savings."""

from __future__ import annotations

import json
from typing import Any

import pytest

from winnow_common.config import ReporterSettings
from winnow_reporter.analysis.savings import annotation_savings


def _settings(**overrides: float) -> ReporterSettings:
    values: dict[str, Any] = {
        "cost_classification": 0.05,
        "cost_detection": 0.60,
        "cost_segmentation": 6.00,
        "seconds_classification": 5,
        "seconds_detection": 60,
        "seconds_segmentation": 600,
        "co2_kg_per_hour": 0.1,
    }
    values.update(overrides)
    return ReporterSettings(**values)


def test_annotation_savings_default_prices() -> None:
    s = annotation_savings(1000, _settings())
    assert s == {
        # 1000 x 0.05 USD; 1000 x 5 s / 3600 x 0.1 kg/h = 0.1389 kg
        "imageClassification": {
            "costSavings": 50.0,
            "co2Savings": 0.139,
            "costPerImage": 0.05,
            "secondsPerImage": 5.0,
        },
        # 1000 x 60 s / 3600 x 0.1 = 1.6667 kg
        "objectDetection": {
            "costSavings": 600.0,
            "co2Savings": 1.667,
            "costPerImage": 0.6,
            "secondsPerImage": 60.0,
        },
        # 1000 x 600 s / 3600 x 0.1 = 16.6667 kg
        "semanticSegmentation": {
            "costSavings": 6000.0,
            "co2Savings": 16.667,
            "costPerImage": 6.0,
            "secondsPerImage": 600.0,
        },
        "nImagesNotLabelled": 1000,
        "co2KgPerHour": 0.1,
    }
    json.dumps(s, allow_nan=False)


def test_annotation_savings_rounds_to_cents_and_grams() -> None:
    s = annotation_savings(3, _settings(cost_classification=0.333, co2_kg_per_hour=0.7))
    assert s["imageClassification"]["costSavings"] == 1.0  # 0.999 USD
    # 3 x 5 s / 3600 x 0.7 kg/h = 0.0029167 kg -> 3 g
    assert s["imageClassification"]["co2Savings"] == 0.003
    assert s["co2KgPerHour"] == 0.7


def test_annotation_savings_zero_and_negative() -> None:
    s = annotation_savings(0, _settings())
    for task in ("imageClassification", "objectDetection", "semanticSegmentation"):
        assert s[task]["costSavings"] == 0.0
        assert s[task]["co2Savings"] == 0.0
    assert s["nImagesNotLabelled"] == 0
    with pytest.raises(ValueError):
        annotation_savings(-1, _settings())
