"""Recording what an attempt produced: the GPU stage's selection and the run's end.

Each call starts with :func:`~winnow_common.lifecycle.attempts.fence`, so only the attempt
that still holds the lease records anything, and each is idempotent: a retried stage replaces
its own tag and artifacts (unique constraints make a second copy impossible).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from winnow_common.db.models import Run, Sample, Tag
from winnow_common.db.repositories import artifacts as artifact_repo
from winnow_common.db.repositories import datasets as dataset_repo
from winnow_common.db.repositories import runs as run_repo
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.db.repositories import tags as tag_repo
from winnow_common.enums import ArtifactType, AttemptOutcome, RunState, SampleType
from winnow_common.ids import now_ms
from winnow_common.jobs.messages import JobMessage
from winnow_common.jobs.names import Queue, TaskName
from winnow_common.lifecycle import crops_dataset as crops_datasets
from winnow_common.lifecycle.attempts import db_now_ms, end_attempt, fence
from winnow_common.lifecycle.run_embeddings import register_run_embedding
from winnow_common.storage import RunKeys
from winnow_common.tags import indices_to_bitmask

INITIAL_TAG = "initial-tag"


@dataclass(frozen=True)
class FrameSample:
    """Where a ``VIDEO_FRAME`` sample comes from (its wire ``videoFrameData``)."""

    source_video: str  # the video's key relative to the INPUT root
    frame_index: int  # 0-based, in presentation order
    timestamp_sec: float  # pts x time base


@dataclass(frozen=True)
class CropSample:
    """Where a ``CROP`` sample comes from (its wire ``cropData``); ``parent`` is a file name of
    the parent dataset (an image, or a frame name)."""

    parent: str
    task_name: str
    prediction_index: int  # the box's position in the parent's prediction file of the task
    category_id: int
    score: float  # 0..1


@dataclass(frozen=True)
class WorkerStageResult:
    """What the GPU stage hands to the database (filenames relative to the INPUT root).

    ``selected`` are file names of the run's dataset: images and frame names (``frames`` says
    which are frames and of which video). An object-level run also selects ``selected_crops``
    (crop sample names, described in ``crops``) into the crops dataset ``crop_dataset_name``
    (None: ``<dataset name>-crops``); its ``selected`` are the parents of those crops.
    ``sequence_information_key`` is set when the run wrote ``sequence_information.json``.
    """

    selected: list[str]
    n_input: int
    model_trained: bool
    model_description: str
    checkpoint_key: str | None = None
    frames: dict[str, FrameSample] = field(default_factory=dict)
    selected_crops: list[str] = field(default_factory=list)
    crops: dict[str, CropSample] = field(default_factory=dict)
    crop_dataset_name: str | None = None
    sequence_information_key: str | None = None


def record_selection(session: Session, run_id: str, result: WorkerStageResult) -> None:
    """Add the selected samples to the dataset and tag them (``initial-tag`` on the first run).

    Frames become ``VIDEO_FRAME`` samples. An object-level run also adds its selected crops as
    ``CROP`` samples to the crops dataset (created on its first run) and tags them there; the
    parents of those crops are the run's ``selected``. Each dataset row is locked, so two runs
    finishing together cannot hand out the same sample index; a retried recording replaces
    the run's own tags and finds the samples it added.
    """
    run = run_repo.get(session, run_id)
    assert run is not None
    dataset = dataset_repo.lock(session, run.dataset_id)
    assert dataset is not None
    parent_names = list(dict.fromkeys([*result.selected, *_crop_parents(result)]))
    parents = _add_missing(
        session, dataset.id, parent_names, lambda name: _image_fields(result, name)
    )
    _replace_selection_tag(session, run, dataset.id, [parents[n].idx for n in result.selected])
    if result.selected_crops or result.crops:
        crops_dataset = crops_datasets.get_or_create(session, dataset, result.crop_dataset_name)
        dataset_repo.lock(session, crops_dataset.id)
        stamp = now_ms()
        crops = _add_missing(
            session,
            crops_dataset.id,
            result.selected_crops,
            lambda name: _crop_fields(result.crops[name], parents, stamp),
        )
        indices = [crops[n].idx for n in result.selected_crops]
        _replace_selection_tag(session, run, crops_dataset.id, indices)
    run.model_trained = result.model_trained
    run.model_description = result.model_description
    session.flush()


def _crop_parents(result: WorkerStageResult) -> list[str]:
    """The parent of every selected crop (the worker's ``selected`` should already hold them;
    a crop's ``parentId`` needs its parent's sample either way)."""
    missing = [name for name in result.selected_crops if name not in result.crops]
    if missing:
        raise ValueError(f"selected crops without a description in result.crops: {missing[:5]}")
    return [result.crops[name].parent for name in result.selected_crops]


def _image_fields(result: WorkerStageResult, name: str) -> dict[str, Any]:
    """A new sample of the run's dataset: an image, or a frame of a video."""
    frame = result.frames.get(name)
    if frame is None:
        return {"type": SampleType.IMAGE.value}
    return {
        "type": SampleType.VIDEO_FRAME.value,
        "video_frame_data": {
            "sourceVideo": frame.source_video,
            "sourceVideoFrameIndex": frame.frame_index,
            "sourceVideoFrameTimestamp": float(frame.timestamp_sec),
        },
    }


def _crop_fields(crop: CropSample, parents: dict[str, Sample], stamp: int) -> dict[str, Any]:
    """A new sample of the crops dataset: its wire ``cropData``, pointing at its parent."""
    return {
        "type": SampleType.CROP.value,
        "crop_data": {
            "parentId": parents[crop.parent].id,
            "predictionUUIDTimestamp": stamp,
            "predictionIndex": crop.prediction_index,
            "predictionTaskName": crop.task_name,
            "predictionTaskCategoryId": crop.category_id,
            "predictionTaskScore": float(crop.score),
        },
    }


def _add_missing(
    session: Session,
    dataset_id: str,
    names: list[str],
    fields: Callable[[str], dict[str, Any]],
) -> dict[str, Sample]:
    """The dataset's samples called ``names``, adding those it lacks (``fields(name)``: their
    type and data) at the next indices. The caller holds the dataset's lock."""
    found = sample_repo.by_names(session, dataset_id, names)
    next_idx = sample_repo.next_idx(session, dataset_id)
    new_samples = []
    for name in names:
        if name not in found:
            sample = Sample(
                dataset_id=dataset_id,
                file_name=name,
                idx=next_idx,
                created_at=now_ms(),
                **fields(name),
            )
            new_samples.append(sample)
            found[name] = sample
            next_idx += 1
    sample_repo.add_all(session, new_samples)
    return found


def _replace_selection_tag(session: Session, run: Run, dataset_id: str, indices: list[int]) -> None:
    """The run's selection tag in the dataset: ``initial-tag`` if the dataset has none yet,
    else ``run-<id>`` below it. A retried recording replaces the run's own tag."""
    previous = tag_repo.selection_of_run(session, run.id, dataset_id)
    if previous is not None:
        tag_repo.delete(session, previous)
    initial = tag_repo.by_name(session, dataset_id, INITIAL_TAG)
    tag_repo.add_plain(
        session,
        Tag(
            dataset_id=dataset_id,
            run_id=run.id,
            run_selection=True,
            prev_tag_id=initial.id if initial else None,
            name=f"run-{run.id}" if initial else INITIAL_TAG,
            bit_mask_data=indices_to_bitmask(indices),
            tot_size=sample_repo.count(session, dataset_id),
        ),
    )


def register_result_artifacts(session: Session, run_id: str, result: WorkerStageResult) -> None:
    """CORRUPTNESS_CHECK_INFORMATION always; CHECKPOINT when the run trained a model;
    SEQUENCE_INFORMATION when the run selected sequences."""
    keys = RunKeys.for_run(run_id)
    artifact_repo.register(
        session,
        run_id,
        ArtifactType.CORRUPTNESS_CHECK_INFORMATION,
        "corruptness_check_information.json",
        keys.corruptness_info,
    )
    if result.checkpoint_key is not None:
        artifact_repo.register(
            session,
            run_id,
            ArtifactType.CHECKPOINT,
            result.checkpoint_key.rsplit("/", 1)[-1],
            result.checkpoint_key,
        )
    if result.sequence_information_key is not None:
        artifact_repo.register(
            session,
            run_id,
            ArtifactType.SEQUENCE_INFORMATION,
            "sequence_information.json",
            result.sequence_information_key,
        )


def register_log(session: Session, run_id: str, key: str | None) -> None:
    """The LOG artifact (``log.txt``), when it could be written."""
    if key is not None:
        artifact_repo.register(session, run_id, ArtifactType.LOG, "log.txt", key)


def register_memlog(session: Session, run_id: str, key: str | None) -> None:
    """The MEMLOG artifact (``memlog.txt``, the GPU stage's memory log), when it was written."""
    if key is not None:
        artifact_repo.register(session, run_id, ArtifactType.MEMLOG, "memlog.txt", key)


def finish_worker_stage(
    session: Session,
    attempt_id: str,
    result: WorkerStageResult,
    log_key: str | None,
    memlog_key: str | None = None,
) -> JobMessage:
    """Record the GPU stage's results, end its attempt DONE, and name the report's message."""
    attempt = fence(session, attempt_id)
    run_id = attempt.run_id
    record_selection(session, run_id, result)
    register_result_artifacts(session, run_id, result)
    register_run_embedding(session, run_repo.require(session, run_id))
    register_log(session, run_id, log_key)
    register_memlog(session, run_id, memlog_key)
    end_attempt(session, attempt, AttemptOutcome.DONE, None)
    run_repo.set_state(
        session,
        run_id,
        RunState.GENERATING_REPORT,
        f"Selected {len(result.selected)} of {result.n_input} samples; waiting for the reporter",
    )
    run = run_repo.require(session, run_id)
    run.report_published_at = db_now_ms(session)
    session.flush()
    return JobMessage(TaskName.RENDER_REPORT, run_id, Queue.REPORTS.value, None)


def fail_attempt(
    session: Session, attempt_id: str, exc: BaseException, log_key: str | None
) -> None:
    """The run's own input made it fail: FAILED with the reason; the attempt ends FAILED."""
    attempt = fence(session, attempt_id)
    register_log(session, attempt.run_id, log_key)
    end_attempt(session, attempt, AttemptOutcome.FAILED, f"{type(exc).__name__}: {exc}"[:2000])
    run_repo.fail(session, attempt.run_id, exc)


def complete_run(session: Session, attempt_id: str, message: str) -> None:
    """The report stage is done: the run is COMPLETED and its attempt DONE."""
    attempt = fence(session, attempt_id)
    end_attempt(session, attempt, AttemptOutcome.DONE, None)
    run_repo.end(session, attempt.run_id, RunState.COMPLETED, message)
