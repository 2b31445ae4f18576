import json
import math
from typing import Any

import numpy as np
import pytest

from winnow_gpu_worker.ml.predictions import (
    Prediction,
    PredictionSchema,
    TaskPredictions,
    category_count,
    class_distribution,
    load_predictions,
    load_tasks,
    parse_prediction_schema,
    prediction_key,
)
from winnow_gpu_worker.ml.scores import (
    CLASSIFICATION_SCORES,
    OBJECT_SCORES,
    available_scores,
    compute_scores,
    uncertainty_scores,
)


class FakeDatasource:
    """A dict-backed LIGHTLY datasource with the pipeline's list_files/read semantics."""

    def __init__(self, files: dict[str, Any]) -> None:
        self.files = {
            k: v if isinstance(v, bytes) else json.dumps(v).encode() for k, v in files.items()
        }
        self.reads: list[str] = []

    def list_files(self, prefix: str = "") -> list[str]:
        base = prefix.strip("/") + "/" if prefix else ""
        return sorted(k for k in self.files if k.startswith(base))

    def read(self, key: str) -> bytes:
        self.reads.append(key)
        return self.files[key]


def _categories(*names: str) -> list[dict[str, Any]]:
    return [{"id": i, "name": name} for i, name in enumerate(names)]


WEATHER = {"task_type": "classification", "categories": _categories("sunny", "clouded", "rainy")}
PEOPLE = {"task_type": "object-detection", "categories": _categories("person", "car")}


def _det(
    category_id: int, score: float, probabilities: list[float] | None = None
) -> dict[str, Any]:
    singleton: dict[str, Any] = {"category_id": category_id, "bbox": [1, 2, 3, 4], "score": score}
    if probabilities is not None:
        singleton["probabilities"] = probabilities
    return singleton


def _datasource(extra: dict[str, Any] | None = None) -> FakeDatasource:
    return FakeDatasource(
        {
            ".lightly/predictions/tasks.json": ["weather", "people"],
            ".lightly/predictions/weather/schema.json": WEATHER,
            ".lightly/predictions/weather/subdir/image_1.json": {
                "file_name": "subdir/image_1.png",
                "predictions": [{"category_id": 0, "probabilities": [0.8, 0.1, 0.1]}],
            },
            ".lightly/predictions/weather/image_0.json": {
                "file_name": "image_0.png",
                "predictions": [{"category_id": 2}],
            },
            ".lightly/predictions/people/schema.json": PEOPLE,
            # The documented example: three objects with probabilities.
            ".lightly/predictions/people/subdir/image_1.json": {
                "file_name": "subdir/image_1.png",
                "predictions": [
                    _det(0, 0.8, [0.2, 0.8]),
                    _det(1, 0.9, [0.9, 0.1]),
                    _det(0, 0.5, [0.6, 0.4]),
                ],
            },
            ".lightly/predictions/people/image_0.json": {
                "file_name": "image_0.png",
                "predictions": [_det(0, 0.7), _det(0, 0.6), _det(1, 0.9)],
            },
            ".lightly/predictions/people/image_2.json": {
                "file_name": "image_2.png",
                "predictions": [],
            },
            **(extra or {}),
        }
    )


FILES = ["image_0.png", "subdir/image_1.png", "image_2.png", "image_3.png"]


def _load(task: str, files: list[str] = FILES) -> TaskPredictions:
    ds = _datasource()
    return load_predictions(ds.list_files, ds.read, task, files)


def test_layout_tasks_schema_and_missing_files() -> None:
    ds = _datasource()
    assert load_tasks(ds.list_files, ds.read) == ["weather", "people"]
    assert prediction_key("people", "subdir/image_1.png") == (
        ".lightly/predictions/people/subdir/image_1.json"
    )
    preds = load_predictions(ds.list_files, ds.read, "people", FILES)
    assert preds.task_type == "object-detection"
    assert preds.schema.category_names == ["person", "car"]
    assert len(preds.for_file("subdir/image_1.png")) == 3
    assert preds.for_file("image_2.png") == []
    assert preds.for_file("image_3.png") == ()  # no prediction file: no predictions
    assert ".lightly/predictions/people/image_3.json" not in ds.reads
    first = preds.for_file("subdir/image_1.png")[0]
    assert first == Prediction(
        category_id=0, score=0.8, bbox=(1, 2, 3, 4), probabilities=(0.2, 0.8)
    )


def test_class_distribution_classification() -> None:
    dist = class_distribution(_load("weather"), FILES)
    assert dist.shape == (4, 3)
    np.testing.assert_allclose(dist[0], [0, 0, 1])  # one-hot of category_id
    np.testing.assert_allclose(dist[1], [0.8, 0.1, 0.1])  # the probability vector
    np.testing.assert_allclose(dist[2:], 0)  # no predictions


def test_class_distribution_detection_sums_objects() -> None:
    dist = class_distribution(_load("people"), FILES)
    np.testing.assert_allclose(dist[1], [0.2 + 0.9 + 0.6, 0.8 + 0.1 + 0.4])
    np.testing.assert_allclose(dist[0], [2, 1])  # no probabilities: counts per category
    np.testing.assert_allclose(dist[2:], 0)


def test_category_count() -> None:
    preds = _load("people")
    np.testing.assert_array_equal(category_count(preds, FILES), [3, 3, 0, 0])
    np.testing.assert_array_equal(category_count(preds, FILES, ["person"]), [2, 2, 0, 0])
    np.testing.assert_array_equal(category_count(preds, FILES, ["car"]), [1, 1, 0, 0])
    with pytest.raises(ValueError, match="person, car"):
        category_count(preds, FILES, ["bus"])


def test_columns_follow_category_id_order_and_task_type_spelling() -> None:
    categories = [{"id": 7, "name": "b"}, {"id": 2, "name": "a"}]
    schema = parse_prediction_schema({"task_type": "OBJECT_DETECTION", "categories": categories})
    assert schema.task_type == "object-detection"
    assert schema.category_names == ["a", "b"]
    preds = TaskPredictions(
        task="t", schema=schema, by_file={"x": [Prediction(category_id=7, bbox=(0, 0, 1, 1))]}
    )
    np.testing.assert_allclose(class_distribution(preds, ["x"]), [[0, 1]])


@pytest.mark.parametrize(
    ("files", "task", "message"),
    [
        ({}, "people", "not listed"),
        ({".lightly/predictions/tasks.json": ["other"]}, "people", "other"),
        ({".lightly/predictions/tasks.json": ["people"]}, "people", "schema.json"),
    ],
)
def test_unknown_task_or_missing_schema(files: dict[str, Any], task: str, message: str) -> None:
    ds = FakeDatasource(files)
    with pytest.raises(ValueError, match=message):
        load_predictions(ds.list_files, ds.read, task, FILES)


@pytest.mark.parametrize(
    ("prediction", "message"),
    [
        ({"category_id": 5, "bbox": [0, 0, 1, 1], "score": 0.5}, "category_id 5"),
        ({"category_id": 0, "bbox": [0, 0, 1, 1], "probabilities": [1.0]}, "2 categories"),
        ({"category_id": 0, "score": 0.5}, "bbox"),
        ({"category_id": 0, "bbox": [0, 0, 1], "score": 0.5}, "bbox"),
        ({"category_id": "0", "bbox": [0, 0, 1, 1]}, "integer"),
    ],
)
def test_invalid_predictions_are_rejected(prediction: dict[str, Any], message: str) -> None:
    ds = _datasource(
        {
            ".lightly/predictions/people/image_3.json": {
                "file_name": "image_3.png",
                "predictions": [prediction],
            }
        }
    )
    with pytest.raises(ValueError, match=message) as info:
        load_predictions(ds.list_files, ds.read, "people", FILES)
    assert "image_3.json" in str(info.value)


# --- active-learning scores --------------------------------------------------------------


def test_uncertainties_of_certain_and_uniform_predictions() -> None:
    scores = uncertainty_scores(np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]]))
    for name in CLASSIFICATION_SCORES:
        np.testing.assert_allclose(scores[name], [0.0, 1.0], atol=1e-12)


def test_uncertainties_hand_computed() -> None:
    scores = uncertainty_scores(np.array([[0.5, 0.3, 0.2]]))
    assert scores["uncertainty_least_confidence"][0] == pytest.approx(0.5 / (2 / 3))
    assert scores["uncertainty_margin"][0] == pytest.approx(1 - (0.5 - 0.3))
    entropy = -(0.5 * math.log2(0.5) + 0.3 * math.log2(0.3) + 0.2 * math.log2(0.2))
    assert scores["uncertainty_entropy"][0] == pytest.approx(entropy / math.log2(3))
    # A single column is a binary problem [p, 1 - p].
    binary = uncertainty_scores(np.array([[0.5], [1.0]]))
    np.testing.assert_allclose(binary["uncertainty_margin"], [1.0, 0.0])


def test_classification_scores_per_file() -> None:
    preds = _load("weather")
    lc = compute_scores(preds, "uncertainty_least_confidence", FILES)
    # one-hot (no probabilities) -> 0; [0.8, 0.1, 0.1] -> 0.2 / (2/3); no prediction -> 0.
    np.testing.assert_allclose(lc, [0.0, 0.3, 0.0, 0.0])
    assert available_scores(preds.task_type) == CLASSIFICATION_SCORES
    with pytest.raises(ValueError, match="uncertainty_margin") as info:
        compute_scores(preds, "object_frequency", FILES)
    assert "object_frequency" in str(info.value)


def test_detection_uncertainty_is_max_over_objects() -> None:
    preds = _load("people")
    margin = compute_scores(preds, "uncertainty_margin", FILES)
    # Objects of subdir/image_1: margins 1-0.6, 1-0.8, 1-0.2 -> max 0.8.
    assert margin[1] == pytest.approx(0.8)
    assert margin[2] == 0.0  # empty prediction list
    assert margin[3] == 0.0  # no prediction file
    # image_0 has no probabilities: score s on its class, (1 - s) on the other (2 classes):
    # scores 0.7, 0.6, 0.9 -> margins 1-0.4, 1-0.2, 1-0.8 -> max 0.8.
    assert margin[0] == pytest.approx(0.8)


def test_objectness_least_confidence() -> None:
    scores = compute_scores(_load("people"), "objectness_least_confidence", FILES)
    np.testing.assert_allclose(
        scores, [1 - (0.7 + 0.6 + 0.9) / 3, 1 - (0.8 + 0.9 + 0.5) / 3, 0.0, 0.0]
    )


def test_object_frequency() -> None:
    preds = _load("people")
    # Totals: image_0: person, person, car = 1 + 0.25 + 1 = 2.25; image_1: same = 2.25;
    # image_2 and image_3: 0. Mapped from [0, 2.25] onto [0.9, 1].
    np.testing.assert_allclose(compute_scores(preds, "object_frequency", FILES), [1, 1, 0.9, 0.9])
    three = TaskPredictions(
        task="t",
        schema=preds.schema,
        by_file={
            "a": [Prediction(0, 0.5, (0, 0, 1, 1))] * 3,  # 1.5
            "b": [Prediction(0, 0.5, (0, 0, 1, 1)), Prediction(1, 0.5, (0, 0, 1, 1))],  # 2
        },
    )
    np.testing.assert_allclose(
        compute_scores(three, "object_frequency", ["a", "b", "c"]), [0.975, 1.0, 0.9]
    )
    # All totals equal: every file scores 1 (np.interp with equal bounds, as in Lightly).
    np.testing.assert_allclose(compute_scores(three, "object_frequency", ["a", "a"]), [1, 1])
    assert compute_scores(three, "object_frequency", []).shape == (0,)


def test_unknown_score_lists_available_ones() -> None:
    preds = _load("people")
    assert available_scores(preds.task_type) == OBJECT_SCORES
    with pytest.raises(ValueError) as info:
        compute_scores(preds, "entropy", FILES)
    for name in OBJECT_SCORES:
        assert name in str(info.value)


def test_schema_type_is_required() -> None:
    with pytest.raises(ValueError, match="task_type"):
        parse_prediction_schema({"task_type": "regression", "categories": [{"id": 0, "name": "a"}]})
    with pytest.raises(ValueError, match="unique"):
        parse_prediction_schema(
            {"task_type": "classification", "categories": [{"id": 0, "name": "a"}] * 2}
        )
    assert isinstance(parse_prediction_schema(WEATHER), PredictionSchema)
