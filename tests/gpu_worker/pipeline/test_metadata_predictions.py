"""Selection on metadata (Lightly's and custom) and on predictions (scores, class distribution,
category count), and the error for an unknown prediction task.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.gpu_worker.pipeline.helpers import (
    KEYS,
    config_doc,
    lines,
    run_local,
    write_images,
    write_predictions,
)
from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_common.storage import LocalStore, RunKeys


def test_lightly_metadata_threshold_and_weights(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    write_images(inp, 12)
    sizes = {p.name: p.stat().st_size for p in inp.iterdir()}
    cut = float(np.median(list(sizes.values())))
    document = config_doc(
        selection={
            "nSamples": 100,
            "strategies": [
                {
                    "input": {"type": "METADATA", "key": "lightly.sizeInBytes"},
                    "strategy": {"type": "THRESHOLD", "threshold": cut, "operation": "BIGGER"},
                },
                {
                    "input": {"type": "METADATA", "key": "lightly.sizeInBytes"},
                    "strategy": {"type": "WEIGHTS"},
                },
            ],
        }
    )
    result, _, _ = run_local(inp, lightly_root, document)
    expected = sorted((n for n in sizes if sizes[n] > cut), key=lambda n: (-sizes[n], n))
    assert result.selected == expected


def test_custom_metadata_balance_hits_the_target(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = write_images(inp, 12)
    meta = lightly_root / ".lightly/metadata"
    meta.mkdir(parents=True)
    weather = {n: ("sunny" if i < 9 else "rainy") for i, n in enumerate(names)}
    for name, value in weather.items():
        record = {"file_name": name, "type": "image", "metadata": {"weather": value}}
        (meta / name.replace(".png", ".json")).write_text(json.dumps(record))
    document = config_doc(
        selection={
            "nSamples": 6,
            "strategies": [
                {
                    "input": {"type": "METADATA", "key": "weather"},
                    "strategy": {
                        "type": "BALANCE",
                        "distribution": "TARGET",
                        "target": {"sunny": 0.5, "rainy": 0.5},
                    },
                }
            ],
        }
    )
    result, _, recorder = run_local(inp, lightly_root, document)
    assert RunState.LOADING_METADATA in recorder.states
    picked = [weather[n] for n in result.selected]
    assert picked.count("rainy") == 3 and picked.count("sunny") == 3
    # The reporter gets the custom metadata from the run folder.
    store = LocalStore(lightly_root)
    records = [json.loads(line) for line in lines(store, KEYS.metadata)]
    assert {r["filename"]: r["custom"]["weather"] for r in records} == weather


def test_scores_weights_pick_the_most_uncertain_first(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = write_images(inp, 5)
    probs = [[0.99, 0.01], [0.5, 0.5], [0.8, 0.2], [0.6, 0.4], [0.95, 0.05]]
    write_predictions(lightly_root, names, probs)
    document = config_doc(
        selection={
            "nSamples": 3,
            "strategies": [
                {
                    "input": {"type": "SCORES", "task": "clf", "score": "uncertainty_entropy"},
                    "strategy": {"type": "WEIGHTS"},
                }
            ],
        }
    )
    result, store, recorder = run_local(inp, lightly_root, document)
    assert RunState.LOADING_PREDICTION in recorder.states
    assert result.selected == [names[1], names[3], names[2]]
    digest = json.loads(store.read(KEYS.predictions))
    assert digest["clf"]["taskType"] == "classification"
    assert digest["clf"]["categoryIdToName"] == {"0": "cat", "1": "dog"}
    assert digest["clf"]["samples"][names[0]]["categories"] == ["cat"]
    assert digest["clf"]["samples"][names[1]]["scores"]["uncertainty_entropy"] == 1.0


def test_predictions_class_distribution_balance_and_category_count(
    dirs: tuple[Path, Path],
) -> None:
    inp, lightly_root = dirs
    names = write_images(inp, 8)
    probs = [[0.9, 0.1]] * 6 + [[0.2, 0.8]] * 2
    write_predictions(lightly_root, names, probs)
    balance = config_doc(
        selection={
            "nSamples": 4,
            "strategies": [
                {
                    "input": {"type": "PREDICTIONS", "task": "clf", "name": "CLASS_DISTRIBUTION"},
                    "strategy": {"type": "BALANCE", "distribution": "UNIFORM"},
                }
            ],
        }
    )
    result, _, _ = run_local(inp, lightly_root, balance)
    assert set(names[6:]) <= set(result.selected)
    count = config_doc(
        selection={
            "nSamples": 10,
            "strategies": [
                {
                    "input": {
                        "type": "PREDICTIONS",
                        "task": "clf",
                        "name": "CATEGORY_COUNT",
                        "categories": ["dog"],
                    },
                    "strategy": {"type": "THRESHOLD", "threshold": 1, "operation": "BIGGER_EQUAL"},
                }
            ],
        }
    )
    result, _, _ = run_local(inp, lightly_root, count, keys=RunKeys("count"))
    assert sorted(result.selected) == names[6:]


def test_unknown_prediction_task_is_a_clear_error(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = write_images(inp, 2)
    write_predictions(lightly_root, names, [[0.5, 0.5]] * 2)
    document = config_doc(
        selection={
            "nSamples": 1,
            "strategies": [
                {
                    "input": {"type": "SCORES", "task": "nope", "score": "uncertainty_entropy"},
                    "strategy": {"type": "WEIGHTS"},
                }
            ],
        }
    )
    with pytest.raises(PipelineError, match="nope"):
        run_local(inp, lightly_root, document)
