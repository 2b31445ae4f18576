"""parse_worker_config: which docker features are accepted, refused, and how paths are checked."""

from __future__ import annotations

from typing import Any

import pytest

from winnow_common.errors import InvalidWorkerConfig
from winnow_common.schemas.datasource_paths import (
    embeddings_path_problem,
    relevant_filenames_problem,
)
from winnow_common.schemas.worker_config import LightlyConfig, parse_worker_config

DIVERSITY = [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}]


def config(**docker: Any) -> dict[str, Any]:
    return {"docker": docker, "selection": {"nSamples": 3, "strategies": DIVERSITY}}


def refused(document: dict[str, Any]) -> str:
    with pytest.raises(InvalidWorkerConfig) as info:
        parse_worker_config(document)
    return str(info.value)


@pytest.mark.parametrize(
    "docker",
    [
        {"enableTraining": True},
        {"embeddings": "my_embeddings.csv"},
        {"embeddings": ".lightly/embeddings/e.csv"},
        {"relevantFilenamesFile": ".lightly/relevant_filenames.txt"},
        {"relevantFilenamesFile": ".lightly/sub/list.txt"},
        {"useDatapool": True},
        {"useDatapool": True, "embeddings": "e.csv"},
        {"checkpointRunId": "0123456789abcdef01234567"},
        {"dumpDataset": True, "outputImageFormat": "png"},
        {"corruptnessCheck": {"corruptionThreshold": 0.1}},
        # Lightly's default config sends "" for unset paths.
        {"relevantFilenamesFile": "", "embeddings": "", "enableTraining": True},
    ],
    ids=str,
)
def test_wired_features_are_accepted(docker: dict[str, Any]) -> None:
    parse_worker_config(config(**docker))


@pytest.mark.parametrize(
    ("docker", "fragment"),
    [
        ({"pretagging": True}, "'docker.pretagging' is not supported"),
        (
            {"enableTraining": True, "embeddings": "e.csv"},
            "'docker.enableTraining' is only possible when no embeddings are passed",
        ),
        (
            {"enableTraining": True, "useDatapool": True},
            "'docker.useDatapool' is not supported together with training",
        ),
        (
            {"corruptnessCheck": {"corruptionThreshold": 0.3}},
            "'docker.corruptnessCheck.corruptionThreshold' is deprecated and must stay 0.1",
        ),
    ],
)
def test_unimplemented_features_stay_refused(docker: dict[str, Any], fragment: str) -> None:
    assert fragment in refused(config(**docker))


def test_auto_tasks_stay_refused() -> None:
    document = config()
    document["selection"]["autoTasks"] = [{"type": "OBJECT_FREQUENCY"}]
    assert "'selection.autoTasks' is not yet supported" in refused(document)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../x", "'..' segment"),
        (".lightly/../x.txt", "'..' segment"),
        ("/abs", "leading '/'"),
        ("/.lightly/x.txt", "leading '/'"),
        ("./x", "'./'"),
        ("./.lightly/x.txt", "'./'"),
        (".lightly/./x.txt", "'./'"),
        ("notinlightly.txt", "'.lightly/' folder"),
        ("lightly/x.txt", "'.lightly/' folder"),
        (".lightly/", "name a file"),
    ],
)
def test_bad_relevant_filenames_paths(path: str, reason: str) -> None:
    problem = relevant_filenames_problem(path)
    assert problem is not None
    assert problem.startswith(f"'docker.relevantFilenamesFile' {path!r} is not valid")
    assert reason in problem
    assert problem in refused(config(relevantFilenamesFile=path))


def test_good_relevant_filenames_path() -> None:
    assert relevant_filenames_problem(".lightly/relevant_filenames.txt") is None


@pytest.mark.parametrize(
    ("path", "reason"),
    [("../e.csv", "'..' segment"), ("a/../../e.csv", "'..' segment"), ("/e.csv", "leading '/'")],
)
def test_bad_embeddings_paths(path: str, reason: str) -> None:
    problem = embeddings_path_problem(path)
    assert problem is not None and problem.startswith(f"'docker.embeddings' {path!r}")
    assert reason in problem
    assert problem in refused(config(embeddings=path))


def test_every_problem_is_reported_at_once() -> None:
    document = config(selectedSequenceLength=3, relevantFilenamesFile="/abs", embeddings="../e.csv")
    document["selection"]["strategies"] = [
        {"input": {"type": "RANDOM"}, "strategy": {"type": "DIVERSITY"}}
    ]
    message = refused(document)
    for fragment in (
        "selectedSequenceLength",
        "'docker.relevantFilenamesFile' '/abs'",
        "'docker.embeddings' '../e.csv'",
        "selection.strategies[0]: RANDOM input with DIVERSITY strategy is not allowed",
    ):
        assert fragment in message


def test_every_lightly_key_is_accepted() -> None:
    # Each LightlyConfig field is honoured by the worker's training (ml/train.py _HANDLED_KEYS);
    # values it cannot express are refused there.
    document = config(enableTraining=True)
    document["lightly"] = {
        "seed": 3,
        "checkpointCallback": {"saveLast": False},
        "loader": {"batchSize": 8, "shuffle": True, "numWorkers": 2, "dropLast": False},
        "model": {"name": "resnet-18", "outDim": 64, "numFtrs": 32, "width": 1},
        "trainer": {"gpus": 1, "maxEpochs": 2, "precision": 16},
        "criterion": {"temperature": 0.2},
        "optimizer": {"lr": 0.1, "weightDecay": 0.0001},
        "collate": {"inputSize": 32, "sigmas": [0.1, 1.0], "rrDegrees": [5]},
    }
    cfg = parse_worker_config(document)
    assert cfg.lightly == LightlyConfig.model_validate(document["lightly"])
