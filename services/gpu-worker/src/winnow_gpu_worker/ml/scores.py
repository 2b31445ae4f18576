"""Active-learning scores from predictions (the selection config's SCORES input).

Ported from Lightly's open-source scorers (``lightly/active_learning/scorers/classification.py``
and ``detection.py`` at ``lightly-ai/lightly@a4f5b235^``, the last commit before their removal)
and the Lightly docs page "Active Learning Scorers". Every score is per sample, higher means more
worth labelling.

Classification tasks (:data:`CLASSIFICATION_SCORES`), from a sample's probability vector ``p``
over ``C`` classes, each rescaled linearly so that a one-hot ``p`` scores 0 and the uniform
``p`` scores 1 (then clipped to [0, 1], as Lightly's ``normalize_scores_0_1`` does):

* ``uncertainty_least_confidence``: ``1 - max(p)`` (divided by ``1 - 1/C``).
* ``uncertainty_margin``: ``1 - (p1 - p2)`` with the two largest probabilities.
* ``uncertainty_entropy``: ``-sum p log2 p`` (divided by ``log2 C``).

A single-column ``p`` is read as a binary problem ``[p, 1 - p]`` (as Lightly does).

Object tasks (object detection, and by extension the segmentation / keypoint task types whose
singletons are objects too), :data:`OBJECT_SCORES`:

* ``object_frequency``: prefers many and diverse objects. Per sample the first object of each
  category counts 1 and every further one ``frequency_penalty`` (0.25); the totals are mapped
  linearly from [min, max] over the scored files onto [``min_score`` (0.9), 1]. If all files
  have the same total every file scores 1 (``np.interp`` with equal bounds).
* ``objectness_least_confidence``: ``1 - mean(score)`` over the sample's objects, where an
  object's ``score`` is its confidence (objectness x max class probability, as detectors output
  it); 0 for a sample without objects.
* the three classification scores computed per object and reduced with the MAXIMUM over the
  sample's objects (Lightly docs: "Then the maximum over all predictions of each sample is
  taken"); 0 for a sample without objects.

Probability vectors come from ``probabilities``; a prediction without them gets Lightly's
``ObjectDetectionOutput.from_scores`` fallback: its category receives ``score`` and the other
categories share ``1 - score`` equally (one-hot if it has no score either). A file without
predictions scores 0 on every uncertainty score. ``objectness_least_confidence`` uses
``max(probabilities)`` for an object without ``score``. Scores are clipped to [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

from winnow_gpu_worker.ml.predictions import CLASSIFICATION, Prediction, TaskPredictions

UNCERTAINTY_LEAST_CONFIDENCE: Final[str] = "uncertainty_least_confidence"
UNCERTAINTY_MARGIN: Final[str] = "uncertainty_margin"
UNCERTAINTY_ENTROPY: Final[str] = "uncertainty_entropy"
OBJECT_FREQUENCY: Final[str] = "object_frequency"
OBJECTNESS_LEAST_CONFIDENCE: Final[str] = "objectness_least_confidence"

CLASSIFICATION_SCORES: Final[tuple[str, ...]] = (
    UNCERTAINTY_LEAST_CONFIDENCE,
    UNCERTAINTY_MARGIN,
    UNCERTAINTY_ENTROPY,
)
OBJECT_SCORES: Final[tuple[str, ...]] = (
    OBJECT_FREQUENCY,
    OBJECTNESS_LEAST_CONFIDENCE,
    *CLASSIFICATION_SCORES,
)

#: Defaults of Lightly's ``ScorerObjectDetection`` config.
FREQUENCY_PENALTY: Final[float] = 0.25
MIN_SCORE: Final[float] = 0.9


def available_scores(task_type: str) -> tuple[str, ...]:
    """Score names a task of ``task_type`` (normalised, e.g. ``object-detection``) supports."""
    return CLASSIFICATION_SCORES if task_type == CLASSIFICATION else OBJECT_SCORES


def uncertainty_scores(probabilities: np.ndarray) -> dict[str, np.ndarray]:
    """The three normalised classification uncertainties of each row of an ``(M, C)`` array.

    Returns ``{score name: (M,) float64 in [0, 1]}``; see the module docstring.
    """
    probs = np.asarray(probabilities, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"probabilities must be 2-D (M, C), got shape {probs.shape}")
    if probs.shape[0] == 0:
        return {name: np.zeros(0, dtype=np.float64) for name in CLASSIFICATION_SCORES}
    if probs.shape[1] == 0:
        raise ValueError("probabilities must have at least one column")
    if probs.shape[1] == 1:
        probs = np.concatenate([probs, 1.0 - probs], axis=1)
    n_classes = probs.shape[1]

    least_confidence = 1.0 - probs.max(axis=1)
    top2 = np.partition(probs, -2, axis=1)[:, -2:]
    margin = 1.0 - (top2[:, 1] - top2[:, 0])
    logs = np.zeros_like(probs)
    np.log2(probs, out=logs, where=probs > 0)
    entropy = -np.sum(probs * logs, axis=1)

    # Raw values of a one-hot vector are 0 for all three; of the uniform vector:
    maxima = {
        UNCERTAINTY_LEAST_CONFIDENCE: 1.0 - 1.0 / n_classes,
        UNCERTAINTY_MARGIN: 1.0,
        UNCERTAINTY_ENTROPY: float(np.log2(n_classes)),
    }
    raw = {
        UNCERTAINTY_LEAST_CONFIDENCE: least_confidence,
        UNCERTAINTY_MARGIN: margin,
        UNCERTAINTY_ENTROPY: entropy,
    }
    return {
        name: np.interp(np.nan_to_num(values), [0.0, maxima[name]], [0.0, 1.0])
        for name, values in raw.items()
    }


def _score_vector(prediction: Prediction, n_classes: int, column: int) -> np.ndarray:
    if prediction.probabilities is not None:
        return np.asarray(prediction.probabilities, dtype=np.float64)
    vector = np.zeros(n_classes, dtype=np.float64)
    if prediction.score is None or n_classes == 1:
        vector[column] = 1.0 if prediction.score is None else prediction.score
        return vector
    score = min(max(prediction.score, 0.0), 1.0)
    vector[:] = (1.0 - score) / (n_classes - 1)
    vector[column] = score
    return vector


def object_frequency(
    preds: TaskPredictions,
    filenames: Sequence[str],
    *,
    frequency_penalty: float = FREQUENCY_PENALTY,
    min_score: float = MIN_SCORE,
) -> np.ndarray:
    """Lightly's ``object_frequency`` score over ``filenames`` (see the module docstring)."""
    totals = []
    for filename in filenames:
        per_category: dict[int, float] = {}
        for prediction in preds.for_file(filename):
            if prediction.category_id in per_category:
                per_category[prediction.category_id] += frequency_penalty
            else:
                per_category[prediction.category_id] = 1.0
        totals.append(sum(per_category.values()))
    if not totals:
        return np.zeros(0, dtype=np.float64)
    values = np.asarray(totals, dtype=np.float64)
    return np.interp(values, (values.min(), values.max()), (min_score, 1.0))


def _objectness_least_confidence(preds: TaskPredictions, filenames: Sequence[str]) -> np.ndarray:
    out = np.zeros(len(filenames), dtype=np.float64)
    for i, filename in enumerate(filenames):
        confidences = []
        for prediction in preds.for_file(filename):
            if prediction.score is not None:
                confidences.append(prediction.score)
            elif prediction.probabilities is not None:
                confidences.append(max(prediction.probabilities))
            else:
                confidences.append(1.0)
        if confidences:
            out[i] = 1.0 - float(np.mean(np.clip(confidences, 0.0, 1.0)))
    return out


def _uncertainty(preds: TaskPredictions, score_name: str, filenames: Sequence[str]) -> np.ndarray:
    schema = preds.schema
    n_classes = schema.num_categories
    classification = preds.task_type == CLASSIFICATION
    rows: list[np.ndarray] = []
    owners: list[int] = []
    for i, filename in enumerate(filenames):
        predictions = preds.for_file(filename)
        if classification:
            predictions = predictions[:1]
        for prediction in predictions:
            rows.append(_score_vector(prediction, n_classes, schema.column(prediction.category_id)))
            owners.append(i)
    out = np.zeros(len(filenames), dtype=np.float64)
    if rows:
        per_object = uncertainty_scores(np.stack(rows))[score_name]
        # Scores are >= 0, so a zero start is both the maximum's identity and the value of
        # files without predictions.
        np.maximum.at(out, np.asarray(owners, dtype=np.intp), per_object)
    return out


def compute_scores(
    preds: TaskPredictions,
    score_name: str,
    filenames: Sequence[str],
    *,
    frequency_penalty: float = FREQUENCY_PENALTY,
    min_score: float = MIN_SCORE,
) -> np.ndarray:
    """The active-learning score ``score_name`` of each filename, an ``(N,)`` float64 array.

    Raises ``ValueError`` naming the available scores if ``score_name`` does not exist for the
    task's type (:func:`available_scores`).
    """
    available = available_scores(preds.task_type)
    if score_name not in available:
        raise ValueError(
            f"unknown score {score_name!r} for task {preds.task!r} of type "
            f"{preds.task_type!r}; available scores: {', '.join(available)}"
        )
    if score_name == OBJECT_FREQUENCY:
        scores = object_frequency(
            preds, filenames, frequency_penalty=frequency_penalty, min_score=min_score
        )
    elif score_name == OBJECTNESS_LEAST_CONFIDENCE:
        scores = _objectness_least_confidence(preds, filenames)
    else:
        scores = _uncertainty(preds, score_name, filenames)
    clipped: np.ndarray = np.clip(scores, 0.0, 1.0)
    return clipped
