"""parse_worker_config for object-level selection: ``docker.objectLevel`` and EMBEDDINGS tasks."""

from __future__ import annotations

from typing import Any

import pytest

from winnow_common.errors import InvalidWorkerConfig
from winnow_common.schemas.worker_config import (
    DEFAULT_OBJECT_PADDING,
    crop_dataset_name,
    object_level_padding,
    object_level_task,
    parse_worker_config,
)

DIVERSITY = {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}


def of_task(task: str) -> dict[str, Any]:
    return {"input": {"type": "EMBEDDINGS", "task": task}, "strategy": {"type": "DIVERSITY"}}


def document(docker: dict[str, Any], *strategies: dict[str, Any]) -> dict[str, Any]:
    return {"docker": docker, "selection": {"nSamples": 4, "strategies": list(strategies)}}


def refused(doc: dict[str, Any]) -> str:
    with pytest.raises(InvalidWorkerConfig) as info:
        parse_worker_config(doc)
    return str(info.value)


def test_an_image_run_is_not_object_level() -> None:
    cfg = parse_worker_config(document({}, DIVERSITY))
    assert object_level_task(cfg) is None
    assert crop_dataset_name(cfg) is None
    assert object_level_padding(cfg) == DEFAULT_OBJECT_PADDING == 0.1


def test_object_level_from_the_docker_section() -> None:
    level = {"taskName": "cars", "cropDatasetName": "cars crops", "padding": 0.25}
    cfg = parse_worker_config(document({"objectLevel": level}, DIVERSITY))
    assert object_level_task(cfg) == "cars"
    assert crop_dataset_name(cfg) == "cars crops"
    assert object_level_padding(cfg) == 0.25


def test_the_legacy_snake_case_object_level_key_maps() -> None:
    # The 2022 docs: docker.object_level.{task_name, crop_dataset_name, padding}.
    level = {"task_name": "lightly_pretagging", "crop_dataset_name": "my-crops", "padding": 0}
    cfg = parse_worker_config(document({"object_level": level}, DIVERSITY))
    assert object_level_task(cfg) == "lightly_pretagging"
    assert crop_dataset_name(cfg) == "my-crops"
    assert object_level_padding(cfg) == 0.0


def test_object_level_defaults() -> None:
    cfg = parse_worker_config(document({"objectLevel": {"taskName": "cars"}}, DIVERSITY))
    assert crop_dataset_name(cfg) is None
    assert object_level_padding(cfg) == 0.1


def test_object_level_from_the_embeddings_inputs() -> None:
    cfg = parse_worker_config(document({}, of_task("cars"), of_task("cars")))
    assert object_level_task(cfg) == "cars"
    assert object_level_padding(cfg) == 0.1 and crop_dataset_name(cfg) is None


def test_the_same_task_in_both_places_is_accepted() -> None:
    cfg = parse_worker_config(document({"objectLevel": {"taskName": "cars"}}, of_task("cars")))
    assert object_level_task(cfg) == "cars"


def test_embeddings_inputs_must_name_one_task() -> None:
    message = refused(document({}, of_task("cars"), DIVERSITY, of_task("people")))
    assert message == (
        "'selection.strategies[2].input.task': 'people' differs from 'cars' of "
        "'selection.strategies[0].input.task'; object-level selection selects the crops of "
        "one task, so every EMBEDDINGS input must name the same task"
    )


def test_the_object_level_task_must_match_the_embeddings_task() -> None:
    message = refused(document({"objectLevel": {"taskName": "cars"}}, of_task("people")))
    assert message.startswith(
        "'docker.objectLevel.taskName': 'cars' differs from the EMBEDDINGS input's task 'people'"
    )


@pytest.mark.parametrize(
    ("level", "fragment"),
    [
        ({}, "'docker.objectLevel.taskName': Field required"),
        ({"taskName": "a b"}, "'docker.objectLevel.taskName': String should match pattern"),
        ({"taskName": "cars", "padding": -0.1}, "'docker.objectLevel.padding'"),
        ({"taskName": "cars", "cropDatasetName": "x"}, "'docker.objectLevel.cropDatasetName'"),
        ({"taskName": "cars", "cropDatasetName": "a/b"}, "'docker.objectLevel.cropDatasetName'"),
        ({"taskName": "cars", "task": "cars"}, "Option 'docker.objectLevel.task' does not exist"),
    ],
)
def test_bad_object_level_sections(level: dict[str, Any], fragment: str) -> None:
    assert fragment in refused(document({"objectLevel": level}, DIVERSITY))


def test_an_embeddings_task_with_characters_lightly_refuses() -> None:
    message = refused(document({}, of_task("my cars")))
    assert "'selection.strategies[0].input.task': 'my cars' is not a valid task name" in message


@pytest.mark.parametrize(
    "docker",
    [{"objectLevel": {"taskName": "cars"}}, {}],
    ids=["objectLevel", "embeddings-task"],
)
def test_object_level_refuses_sequences_and_user_embeddings(docker: dict[str, Any]) -> None:
    extra = {
        "selectedSequenceLength": 2,
        "enableCorruptnessCheck": False,
        "removeExactDuplicates": False,
        "embeddings": "e.csv",
    }
    message = refused(document({**docker, **extra}, of_task("cars")))
    assert (
        "'docker.selectedSequenceLength': object-level selection (crops of a task) is not "
        "supported together with selectedSequenceLength > 1" in message
    )
    assert "'docker.embeddings': custom embeddings are of whole images" in message


def test_user_embeddings_without_object_level_stay_accepted() -> None:
    parse_worker_config(document({"embeddings": "e.csv"}, DIVERSITY))
