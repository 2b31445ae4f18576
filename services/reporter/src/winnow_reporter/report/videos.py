"""The video part of the report: videos and frames counted, per video and over the run.

Read from ``data/videos.json`` (every input video: frames, fps, duration, corrupt reason,
selected frames), ``data/sequence_information.json`` (sequence runs) and the corruptness
check's ``corrupt_videos``. Frames are samples named as Lightly names them,
``{video without extension}-{index zero-padded}-{extension}.png`` (``sub/v.mp4`` ->
``sub/v-007-mp4.png``); a frame's video is found by parsing its name, so counting every
embedded frame is one pass over the file names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from winnow_common.video_frames import frame_video, video_lookup
from winnow_reporter.report.model import DatasetSizes, VideoInformation, VideoSizes
from winnow_reporter.report.run_folder import RunOutputs

__all__ = ["frame_video", "video_lookup", "video_section"]


def _count_by_video(names: Iterable[str], lookup: Mapping[tuple[str, str], str]) -> Counter[str]:
    return Counter(v for n in names if (v := frame_video(n, lookup)) is not None)


def _sequence_length(outputs: RunOutputs, sequences: list[dict[str, Any]]) -> int:
    docker = outputs.config.get("docker") or {}
    value = docker.get("selectedSequenceLength", docker.get("selected_sequence_length"))
    if value is not None:
        return int(value)
    return max(
        (len(s.get("frame_names") or s.get("filenames") or []) for s in sequences), default=0
    )


def _one_video(
    entry: Mapping[str, Any], reason: str | None, counts: Mapping[str, Counter[str]]
) -> VideoSizes:
    video = str(entry["video"])
    timestamps = [float(t) for t in entry.get("selected_frame_timestamps_sec") or []]
    n_selected = len(entry.get("selected_frame_indices") or timestamps)
    n_clean = counts["clean"][video]
    return VideoSizes(
        video=video,
        n_input=int(entry.get("n_frames") or 0),
        n_corrupt=counts["corrupt"][video],
        n_duplicate=counts["duplicate"][video],
        # frames embedded and not selected; never below zero, even for frame names that do
        # not match the videos (a note says so)
        n_removed=max(n_clean - n_selected, 0),
        n_selected=n_selected,
        fps=None if entry.get("fps") is None else float(entry["fps"]),
        duration_sec=None if entry.get("duration_sec") is None else float(entry["duration_sec"]),
        corrupt=reason,
        selected_frame_timestamps_sec=timestamps,
    )


def _level_sizes(videos: list[VideoSizes]) -> DatasetSizes:
    """Lightly's ``videoLevelSizes``: ``datasetSizes`` counted in videos.

    A usable video counts as selected when at least one of its frames was selected, and as
    removed otherwise; videos have no exact duplicates or datapool.
    """
    n_corrupt = sum(1 for v in videos if v.corrupt is not None)
    n_selected = sum(1 for v in videos if v.corrupt is None and v.n_selected > 0)
    return DatasetSizes(
        n_input=len(videos),
        n_corrupt=n_corrupt,
        n_duplicate=0,
        n_removed=len(videos) - n_corrupt - n_selected,
        n_selected=n_selected,
        n_preselected_datapool=0,
        n_selected_with_datapool=n_selected,
    )


def video_section(
    outputs: RunOutputs, notes: list[str]
) -> tuple[DatasetSizes, VideoInformation] | None:
    """``videoLevelSizes`` and the video information of a run with videos (else ``None``).

    A video is corrupt when ``videos.json`` gives a reason or the corruptness check listed it
    in ``corrupt_videos``; its frames do not count towards ``nFrames``.
    """
    if outputs.videos is None:
        return None
    entries = sorted(outputs.videos, key=lambda e: str(e["video"]))
    lookup = video_lookup(str(e["video"]) for e in entries)
    counts = {
        "clean": _count_by_video(outputs.filenames, lookup),
        "corrupt": _count_by_video(outputs.corrupt, lookup),
        "duplicate": _count_by_video(outputs.duplicates, lookup),
    }
    videos = [
        _one_video(e, e.get("corrupt") or outputs.corrupt_videos.get(str(e["video"])), counts)
        for e in entries
    ]
    usable = [v for v in videos if v.corrupt is None]
    info = VideoInformation(
        n_videos=len(videos),
        n_corrupt_videos=len(videos) - len(usable),
        n_usable_videos=len(usable),
        n_frames=sum(v.n_input for v in usable),
        n_selected_frames=sum(v.n_selected for v in usable),
        videos=videos,
    )
    sequences = outputs.sequence_information
    if sequences is not None:
        info.n_selected_sequences = len(sequences)
        info.selected_sequence_length = _sequence_length(outputs, sequences)
    if usable and outputs.filenames and not sum(counts["clean"].values()):
        notes.append(
            "No embedded sample is named as a frame of the videos in data/videos.json: "
            "the per-video removed counts are 0."
        )
    return _level_sizes(videos), info
