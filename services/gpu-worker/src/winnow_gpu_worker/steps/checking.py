"""CHECKING_CORRUPTNESS: corrupt files, exact duplicates and the ``lightly.*`` metadata."""

from __future__ import annotations

from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_gpu_worker.ml.duplicates import find_exact_duplicates
from winnow_gpu_worker.stages.checks import check_files
from winnow_gpu_worker.stages.video_checks import check_videos
from winnow_gpu_worker.stages.work import RunWork
from winnow_gpu_worker.steps.base import StageOutput, from_json_blob, json_blob, worker_count

_STATE = RunState.CHECKING_CORRUPTNESS


def compute(work: RunWork) -> StageOutput:
    """Read every listed image once and decode every video once: decode check, content hash,
    metadata."""
    docker, frames = work.cfg.docker, work.result.frames
    images = [n for n in work.names if n not in frames]
    work.state(_STATE, f"Checking {len(images)} image files")
    checked = check_files(
        work.input_store,
        images,
        check_corruptness=docker.enable_corruptness_check,
        hash_content=docker.remove_exact_duplicates,
        threads=worker_count(docker.num_threads, 8) if docker.num_threads else None,
        progress=work.progress(_STATE, "Checked", len(images)),
    )
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
