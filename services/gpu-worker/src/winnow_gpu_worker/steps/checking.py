"""CHECKING_CORRUPTNESS: corrupt files, exact duplicates and the ``lightly.*`` metadata."""

from __future__ import annotations

from winnow_common.config import WorkerSettings
from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_common.schemas.worker_config import WorkerConfigV4, object_level_task
from winnow_gpu_worker.ml.duplicates import find_exact_duplicates
from winnow_gpu_worker.ml.pretrained_spec import PRETRAINED_INPUT_SIZE
from winnow_gpu_worker.stages.checks import check_files
from winnow_gpu_worker.stages.video_checks import check_videos
from winnow_gpu_worker.stages.work import RunWork
from winnow_gpu_worker.steps.base import StageOutput, from_json_blob, json_blob, worker_count

_STATE = RunState.CHECKING_CORRUPTNESS

#: At most this many bytes of model pixels are kept from the check for EMBEDDING (21,000
#: images at 128 px); above it EMBEDDING reads and decodes the files itself.
MODEL_PIXELS_BUDGET = 1 << 30


def expected_input_size(cfg: WorkerConfigV4, settings: WorkerSettings, files: int) -> int | None:
    """The model input size EMBEDDING will use, when the check can already tell and the pixels
    fit :data:`MODEL_PIXELS_BUDGET`; else None (nothing is kept).

    Known now: the config's ``lightly.collate.inputSize``, or the pretrained default model's
    size when that model will embed (no checkpoint, no training, no ``lightly.model``: see
    ``stages.model.choose_model``). No user embeddings (nothing is embedded) and no object
    level run (crops, not files, are embedded). EMBEDDING uses the pixels only when its size
    is this one.
    """
    docker, lightly = cfg.docker, cfg.lightly
    if docker.embeddings or object_level_task(cfg) is not None:
        return None
    size: int | None = lightly.collate.input_size if lightly.collate else None
    default_model = (
        settings.default_model == "pretrained"
        and not (docker.checkpoint or docker.checkpoint_run_id or docker.enable_training)
        and lightly.model is None
    )
    if size is None and default_model:
        size = PRETRAINED_INPUT_SIZE
    if size is None or files * 3 * size * size > MODEL_PIXELS_BUDGET:
        return None
    return size


def compute(work: RunWork) -> StageOutput:
    """Read every listed image once and decode every video once: decode check, content hash,
    metadata."""
    docker, frames = work.cfg.docker, work.result.frames
    images = [n for n in work.names if n not in frames]
    work.state(_STATE, f"Checking {len(images)} image files")
    size = expected_input_size(work.cfg, work.settings, len(images))
    checked = check_files(
        work.input_store,
        images,
        check_corruptness=docker.enable_corruptness_check,
        hash_content=docker.remove_exact_duplicates,
        threads=worker_count(docker.num_threads, 8) if docker.num_threads else None,
        model_input_size=size,
        progress=work.progress(_STATE, "Checked", len(images)),
    )
    work.model_pixels, work.model_pixels_size = checked.pixels, size
    hashes, metadata = dict(checked.hashes), dict(checked.metadata)
    corrupt_videos: dict[str, str] = {}
    if work.result.videos:
        n_videos = len(work.result.videos) - len(work.result.corrupt_videos)
        work.state(_STATE, f"Decoding {n_videos} videos")
        videos = check_videos(
            work.result.videos,
            work.video_files().path,
            set(work.names) & frames.keys(),
            check_corruptness=docker.enable_corruptness_check,
            hash_content=docker.remove_exact_duplicates,
            progress=work.progress(_STATE, "Decoded videos", n_videos),
        )
        corrupt_videos = videos.corrupt_videos
        hashes.update(videos.hashes)
        metadata.update(videos.metadata)
    duplicates = find_exact_duplicates(hashes) if docker.remove_exact_duplicates else {}
    info = {
        "corrupt": dict(checked.corrupt),
        "corrupt_videos": corrupt_videos,
        "duplicates": duplicates,
    }
    return StageOutput(info, {"metadata.json": json_blob(metadata)})


def restore(work: RunWork, output: StageOutput) -> None:
    """Corrupt files, duplicates, clean files and metadata into the run context."""
    result = work.result
    result.corrupt = dict(output.info["corrupt"])
    result.duplicates = dict(output.info["duplicates"])
    result.corrupt_videos.update(output.info.get("corrupt_videos", {}))
    work.metadata = from_json_blob(output.blobs["metadata.json"])
    bad_videos = result.corrupt_videos
    # A corrupt video is reported as a video: its frames are not samples of this run.
    result.n_input -= sum(
        1 for n in work.names if n in result.frames and result.frames[n].video in bad_videos
    )
    work.clean = [
        n
        for n in work.names
        if n not in result.corrupt
        and n not in result.duplicates
        and (n not in result.frames or result.frames[n].video not in bad_videos)
    ]
    videos = f" and {len(bad_videos)} corrupt videos" if result.videos else ""
    work.state(
        _STATE,
        f"{len(result.corrupt)} corrupt and {len(result.duplicates)} exact duplicate files"
        f"{videos} removed; {len(work.clean)} samples remain",
    )
    if not work.clean:
        raise PipelineError("no usable images or frames left after the corruptness check")
