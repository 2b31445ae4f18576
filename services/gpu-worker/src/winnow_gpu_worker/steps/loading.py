"""LOADING_DATASET: the input files to process, their samples, and a snapshot of the datapool.

Images are samples as they are; every video is copied, demuxed and expanded into its frames
(samples named as Lightly names them). A video that cannot be listed is a corrupt video.

The snapshot matters for resuming: SAVING_RESULTS adds this run's samples to the datapool, so
an attempt that starts after that must still see the pool as it was when the run began.
"""

from __future__ import annotations

import numpy as np

from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_common.input_files import is_input_video
from winnow_gpu_worker.ml.video import VideoProbe
from winnow_gpu_worker.stages.datapool import Datapool, load_datapool
from winnow_gpu_worker.stages.ledger import pack_arrays, unpack_arrays
from winnow_gpu_worker.stages.listing import list_input_files
from winnow_gpu_worker.stages.videos import frames_of, probe_videos
from winnow_gpu_worker.stages.work import RunWork
from winnow_gpu_worker.steps.base import StageOutput

_STATE = RunState.LOADING_DATASET


def _probe(work: RunWork, files: list[str]) -> dict[str, VideoProbe]:
    """Copy and demux every video among ``files``."""
    videos = [f for f in files if is_input_video(f)]
    if not videos:
        return {}
    work.state(_STATE, f"Counting the frames of {len(videos)} videos")
    progress = work.progress(_STATE, "Listed videos", len(videos))
    return probe_videos(work.video_files(), videos, progress)


def _samples(files: list[str], probes: dict[str, VideoProbe], pool: Datapool | None) -> list[str]:
    """The run's samples: images and the frames of usable videos, minus the pool's samples."""
    names = [f for f in files if f not in probes] + list(frames_of(probes))
    if pool is not None:
        in_pool = set(pool.filenames)
        names = [n for n in names if n not in in_pool]
    return sorted(names)


def compute(work: RunWork) -> StageOutput:
    """List the input files (relevant filenames, datapool's processed files left out)."""
    cfg, store = work.cfg, work.input_store
    datapool = load_datapool(work.lightly_store) if cfg.docker.use_datapool else None
    work.state(_STATE, f"Listing images and videos in {store.describe()}")
    files, skipped = list_input_files(cfg, store, work.lightly_store, datapool)
    probes = _probe(work, files)
    names = _samples(files, probes, datapool)
    if datapool is not None:
        work.state(
            _STATE,
            f"Datapool: {len(datapool)} samples selected by earlier runs, "
            f"{skipped} files already processed are skipped",
        )
    if not files:
        where = store.describe()
        if skipped:
            raise PipelineError(
                f"no new image or video files in {where}: all {skipped} were processed by "
                "earlier runs (set datasource.processAll to process them again)"
            )
        raise PipelineError(f"no image or video files found in {where}")
    info: dict[str, object] = {
        "names": names,
        "files": files,
        "videos": {key: probe.to_json() for key, probe in probes.items()},
        "skipped": skipped,
        "datapool": None,
    }
    blobs: dict[str, bytes] = {}
    if datapool is not None:
        info["datapool"] = {
            "processed": sorted(datapool.processed),
            "filenames": list(datapool.filenames),
        }
        blobs["datapool.npz"] = pack_arrays(embeddings=datapool.embeddings)
    return StageOutput(info, blobs)


def restore(work: RunWork, output: StageOutput) -> None:
    """Names, skipped count and the datapool snapshot into the run context."""
    info, result = output.info, work.result
    work.names = list(info["names"])
    work.files = list(info["files"])
    result.videos = {k: VideoProbe.from_json(v) for k, v in dict(info["videos"]).items()}
    result.corrupt_videos = {
        k: probe.reason for k, probe in result.videos.items() if probe.reason is not None
    }
    result.frames = frames_of(result.videos)
    result.n_input = len(work.names)
    result.n_skipped_by_datapool = int(info["skipped"])
    pool = info.get("datapool")
    if pool is not None:
        embeddings = unpack_arrays(output.blobs["datapool.npz"])["embeddings"]
        work.datapool = Datapool(
            processed=set(pool["processed"]),
            filenames=list(pool["filenames"]),
            embeddings=np.asarray(embeddings, dtype=np.float32),
        )
    n_frames = sum(1 for n in work.names if n in result.frames)
    found = f"{len(work.names) - n_frames} images"
    if result.videos:
        found += (
            f" and {n_frames} frames of {len(result.videos)} videos "
            f"({len(result.corrupt_videos)} corrupt)"
        )
    work.state(_STATE, f"Found {found} in {work.input_store.describe()}")
    if not work.names:
        raise PipelineError(f"no usable images or video frames in {work.input_store.describe()}")
