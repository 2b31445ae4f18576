"""INITIALIZING_OBJECT_CROPS: object-level runs select crops of a detection task's boxes.

With ``docker.objectLevel.taskName`` (or EMBEDDINGS inputs naming a ``task``) every predicted
box of that task on a clean image becomes a crop sample (``padding`` enlarges each box, default
0.1 of its width and height). From here on the run's samples are the crops: they are embedded,
selected and saved like images; the images holding a selected crop are selected in the dataset
and the crops go to the crops dataset.
"""

from __future__ import annotations

from typing import Any

from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_common.schemas.worker_config import (
    crop_dataset_name,
    object_level_padding,
    object_level_task,
)
from winnow_gpu_worker.stages.crops import CropReader, CropRef, list_crops
from winnow_gpu_worker.stages.work import RunWork
from winnow_gpu_worker.steps.base import StageOutput

_STATE = RunState.INITIALIZING_OBJECT_CROPS


def is_object_level(cfg: Any) -> bool:
    """The stage runs only for object-level configs."""
    return object_level_task(cfg) is not None


def compute(work: RunWork) -> StageOutput:
    """List every box of the task on the clean images."""
    task = object_level_task(work.cfg)
    assert task is not None
    if work.result.frames:
        raise PipelineError(
            f"object level (task {task!r}): crops of video frames are not supported; "
            "extract the frames or select frames without a task"
        )
    if work.cfg.docker.use_datapool:
        raise PipelineError(f"object level (task {task!r}) does not support useDatapool")
    work.state(_STATE, f"Reading the {task!r} predictions of {len(work.clean)} images")
    crops = list_crops(work.lightly_store, work.clean, task)
    if not crops:
        raise PipelineError(f"object level: task {task!r} has no boxes on the usable images")
    return StageOutput(
        {
            "task": task,
            "crops": [
                [c.name, c.parent, c.index, c.category_id, c.score, list(c.bbox)] for c in crops
            ],
        }
    )


def restore(work: RunWork, output: StageOutput) -> None:
    """From here on the samples are the crops, read through the crop reader."""
    task = str(output.info["task"])
    crops = [
        CropRef(name, parent, task, int(index), int(category), float(score), tuple(bbox))
        for name, parent, index, category, score, bbox in output.info["crops"]
    ]
    result = work.result
    result.object_task = task
    result.crops = {c.name: c for c in crops}
    result.crop_dataset_name = crop_dataset_name(work.cfg)
    padding = object_level_padding(work.cfg)
    work.sample_reader = CropReader(work.input_store.read, crops, padding).read
    parents = len({c.parent for c in crops})
    work.clean = sorted(result.crops)
    work.state(
        _STATE, f"{len(crops)} objects of task {task!r} on {parents} images (padding {padding})"
    )
