"""SAVING_RESULTS: the Lightly output folder, the datapool update and ``dump_dataset``.

Every file goes to a deterministic key and replaces what is there, and the datapool is updated
from the snapshot taken in LOADING_DATASET, so saving twice (a retried attempt) writes the same
bytes as saving once.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_gpu_worker.ml.normalize import l2_normalize
from winnow_gpu_worker.stages.datapool import update_datapool
from winnow_gpu_worker.stages.outputs import (
    dump_selected,
    write_embeddings,
    write_filename_lists,
    write_json,
)
from winnow_gpu_worker.stages.report_inputs import (
    custom_metadata_for_report,
    predictions_for_report,
    write_predictions,
)
from winnow_gpu_worker.stages.sample_images import Dump, save_crops, save_frames
from winnow_gpu_worker.stages.work import PipelineResult, RunWork
from winnow_gpu_worker.steps.base import StageOutput
from winnow_gpu_worker.steps.sampling import jsonable

_STATE = RunState.SAVING_RESULTS


def compute(work: RunWork) -> StageOutput:
    """Write every output of the run; returns the keys of the dumped files."""
    cfg, result, out, keys = work.cfg, work.result, work.out, work.keys
    docker = cfg.docker
    work.state(_STATE, f"Saving results to {out.describe()}")
    videos = {name: frame.video for name, frame in result.frames.items()}
    custom = custom_metadata_for_report(
        work.lightly_store, result.filenames, work.custom_metadata, videos
    )
    save_outputs(result, cfg, out, keys, work.metadata, custom)
    write_predictions(
        out, keys, predictions_for_report(work.lightly_store, result.filenames, work.predictions)
    )
    index = {name: i for i, name in enumerate(result.filenames)}
    selected_rows = [index[name] for name in result.selected]
    datapool = work.datapool
    if datapool is not None:
        pool_rows = []
        if len(datapool):
            pool = datapool.embeddings
            pool_rows = [l2_normalize(pool) if docker.normalize_embeddings else pool]
        write_embeddings(
            out,
            keys.selected_embeddings_with_datapool_csv,
            result.datapool_filenames + result.selected,
            np.concatenate([*pool_rows, result.embeddings[selected_rows]]),
        )
    dumped = _save_sample_images(work)
    if datapool is not None and (
        docker.datasource is None or docker.datasource.enable_datapool_update
    ):
        update_datapool(
            work.lightly_store,
            datapool,
            work.files,
            result.selected,
            work.raw_embeddings[selected_rows],
        )
        work.state(_STATE, "Updated the datapool")
    return StageOutput({"dumped_keys": dumped})


def _save_sample_images(work: RunWork) -> list[str]:
    """Frames and crops get images of their own; ``dump_dataset`` copies every selected
    sample. Returns the dumped keys."""
    docker, result = work.cfg.docker, work.result
    dump = (
        Dump(work.keys, docker.output_image_format, docker.output_image_size)
        if docker.dump_dataset
        else None
    )
    frames = [n for n in result.selected if n in result.frames]
    dumped: list[str] = []
    if result.object_task is not None:
        work.state(_STATE, f"Saving {len(result.selected)} selected object crops")
        return save_crops(result.selected, work.read, work.out, dump, _upload_crops(work))
    if frames:
        work.state(_STATE, f"Extracting {len(frames)} selected video frames")
        dumped += save_frames(
            frames, result.frames, result.videos, work.video_files().path, work.out, dump
        )
    images = [n for n in result.selected if n not in result.frames]
    if dump is not None and images:
        work.state(_STATE, f"Copying {len(images)} selected files")
        try:
            dumped += dump_selected(
                work.read, work.out, work.keys, images, dump.image_format, dump.size
            )
        except ValueError as exc:
            raise PipelineError(f"dump_dataset: {exc}") from exc
    return dumped


def _upload_crops(work: RunWork) -> bool:
    """``crops.enableUpload`` (default on), limited to ``crops.enableUploadForTasks``."""
    crops = work.cfg.docker.crops
    if crops is None:
        return True
    tasks = crops.enable_upload_for_tasks
    return crops.enable_upload and (tasks is None or work.result.object_task in tasks)


def videos_document(result: PipelineResult) -> dict[str, Any]:
    """``data/videos.json``: every input video with its selected frames (for the reporter)."""
    picked: dict[str, list[int]] = {}
    for name in result.selected:
        frame = result.frames.get(name)
        if frame is not None:
            picked.setdefault(frame.video, []).append(frame.index)
    videos = []
    for video, probe in sorted(result.videos.items()):
        indices = sorted(picked.get(video, []))
        videos.append(
            {
                "video": video,
                "n_frames": probe.n_frames,
                "fps": probe.fps,
                "duration_sec": probe.duration_sec,
                "corrupt": result.corrupt_videos.get(video),
                "selected_frame_indices": indices,
                "selected_frame_timestamps_sec": [probe.timestamp_sec(i) for i in indices],
            }
        )
    return {"videos": videos}


def restore(work: RunWork, output: StageOutput) -> None:
    """The dumped keys into the result."""
    work.result.dumped_keys = list(output.info["dumped_keys"])


def save_outputs(
    result: PipelineResult,
    cfg: WorkerConfigV4,
    store: DatasourceStore,
    keys: RunKeys,
    metadata: dict[str, dict[str, Any]],
    custom_metadata: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Write the Lightly-style output folder for the run (the reporter adds plots and reports).

    ``data/metadata.jsonl`` has one line per sample: ``{"filename", "lightly": {...}}`` plus
    ``"custom": {...}`` when the sample has custom metadata.
    """
    index = {name: i for i, name in enumerate(result.filenames)}
    selected_rows = [index[n] for n in result.selected]
    store.write(
        keys.config,
        json.dumps(cfg.model_dump(mode="json", by_alias=True), indent=2).encode(),
        "application/json",
    )
    write_embeddings(store, keys.embeddings_csv, result.filenames, result.embeddings)
    write_embeddings(
        store, keys.selected_embeddings_csv, result.selected, result.embeddings[selected_rows]
    )
    write_filename_lists(
        store,
        keys,
        {
            "corrupt": sorted({*result.corrupt, *result.corrupt_videos}),
            "duplicate": sorted(result.duplicates),
            "removed": result.removed,
            "selected": result.selected,
        },
    )
    corruptness: dict[str, Any] = {"corrupt_samples": result.corrupt}
    if result.videos:
        corruptness["corrupt_videos"] = result.corrupt_videos
        write_json(store, keys.videos, videos_document(result))
    write_json(store, keys.corruptness_info, corruptness)
    if result.sequence_information is not None:
        write_json(store, keys.sequence_information, result.sequence_information)
    write_json(store, keys.exact_duplicates, result.duplicates)
    write_json(store, keys.selection_info, result.selection_info)
    custom = custom_metadata or {}
    lines = []
    for name in result.filenames:
        record: dict[str, Any] = {"filename": name, "lightly": jsonable(metadata.get(name, {}))}
        if name in custom:
            record["custom"] = jsonable(custom[name])
        lines.append(json.dumps(record, sort_keys=True))
    store.write(keys.metadata, ("\n".join(lines) + "\n" if lines else "").encode(), "text/plain")
