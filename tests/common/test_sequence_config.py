"""parse_worker_config with ``selectedSequenceLength`` > 1: whole sequences of frames."""

from __future__ import annotations

from typing import Any

import pytest

from winnow_common.errors import InvalidWorkerConfig
from winnow_common.schemas.worker_config import parse_worker_config

DIVERSITY = [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}]
# Lightly's sequence recipe turns both single-frame checks off.
CHECKS_OFF = {"enableCorruptnessCheck": False, "removeExactDuplicates": False}


def document(length: int, **count: Any) -> dict[str, Any]:
    docker = {"selectedSequenceLength": length, **CHECKS_OFF}
    return {"docker": docker, "selection": {**count, "strategies": DIVERSITY}}


def refused(doc: dict[str, Any]) -> str:
    with pytest.raises(InvalidWorkerConfig) as info:
        parse_worker_config(doc)
    return str(info.value)


@pytest.mark.parametrize(("length", "n_samples"), [(2, 4), (3, 9), (5, 5), (1, 7)])
def test_a_multiple_of_the_sequence_length_is_accepted(length: int, n_samples: int) -> None:
    cfg = parse_worker_config(document(length, nSamples=n_samples))
    assert cfg.docker.selected_sequence_length == length
    assert cfg.selection is not None and cfg.selection.n_samples == n_samples


@pytest.mark.parametrize(("length", "n_samples", "hint"), [(2, 3, 2), (3, 10, 9), (4, 2, 4)])
def test_n_samples_must_be_a_multiple_of_the_length(length: int, n_samples: int, hint: int) -> None:
    message = refused(document(length, nSamples=n_samples))
    assert message == (
        f"'selection.nSamples': {n_samples} is not a multiple of the sequence length {length} "
        "('docker.selectedSequenceLength'); whole sequences are selected, so give a multiple "
        f"such as {hint}"
    )


def test_a_legacy_count_is_checked_as_selection_n_samples() -> None:
    doc = {
        "docker": {"selectedSequenceLength": 4, "stoppingCondition": {"nSamples": 6}, **CHECKS_OFF}
    }
    assert "'selection.nSamples': 6 is not a multiple of the sequence length 4" in refused(doc)


def test_a_proportion_is_allowed_the_worker_rounds_up() -> None:
    cfg = parse_worker_config(document(3, proportionSamples=0.5))
    assert cfg.selection is not None and cfg.selection.proportion_samples == 0.5


@pytest.mark.parametrize(
    ("checks", "refused_keys"),
    [
        ({}, ["enableCorruptnessCheck", "removeExactDuplicates"]),  # both on by default
        ({"enableCorruptnessCheck": False}, ["removeExactDuplicates"]),
        ({"remove_exact_duplicates": False}, ["enableCorruptnessCheck"]),  # legacy snake case
        (
            {"enableCorruptnessCheck": True, "removeExactDuplicates": False},
            ["enableCorruptnessCheck"],
        ),
    ],
)
def test_single_frame_checks_are_refused_with_sequences(
    checks: dict[str, bool], refused_keys: list[str]
) -> None:
    doc = {
        "docker": {"selectedSequenceLength": 2, **checks},
        "selection": {"nSamples": 4, "strategies": DIVERSITY},
    }
    message = refused(doc)
    for key in ("enableCorruptnessCheck", "removeExactDuplicates"):
        fragment = (
            f"'docker.{key}' is not supported together with selectedSequenceLength > 1 "
            "(it removes single frames from sequences); set it to false"
        )
        assert (fragment in message) == (key in refused_keys)


def test_the_checks_stay_on_by_default_without_sequences() -> None:
    cfg = parse_worker_config({"selection": {"nSamples": 3, "strategies": DIVERSITY}})
    assert cfg.docker.enable_corruptness_check and cfg.docker.remove_exact_duplicates
