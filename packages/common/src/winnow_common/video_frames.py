"""How video frames are named (one rule for the worker, the reporter and the API).

A frame is a sample named as Lightly names it: ``{video without extension}-{frame index, 0-based,
zero-padded to len(str(n_frames))}-{extension}.png`` (frame 99 of 200 of ``subdir/video_1.mp4``
is ``subdir/video_1-099-mp4.png``). The worker names frames with :func:`frame_name`; the
reporter and the dashboard find a frame's video again with :func:`frame_video`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

FRAME_EXTENSION = "png"

__all__ = ["FRAME_EXTENSION", "frame_name", "frame_video", "video_lookup"]


def _stem_and_ext(video: str) -> tuple[str, str]:
    """The name parts of a video's frame names, split as Lightly splits them."""
    stem, _, ext = video.rpartition(".")
    if not stem:  # no dot: lightly's split gives an empty name and the whole key as format
        return "", video
    return stem, ext


def frame_name(video_key: str, index: int, n_frames: int) -> str:
    """Lightly's name for frame ``index`` of the video ``video_key`` with ``n_frames`` frames.

    ``ext`` is the last dot-suffix of the name as written: ``frame_name("subdir/video_1.mp4",
    99, 200) == "subdir/video_1-099-mp4.png"``.
    """
    stem, ext = _stem_and_ext(video_key)
    width = len(str(n_frames))
    return f"{stem}-{index:0{width}d}-{ext}.{FRAME_EXTENSION}"


def video_lookup(videos: Iterable[str]) -> dict[tuple[str, str], str]:
    """``(stem, extension) -> video`` for :func:`frame_video`."""
    return {_stem_and_ext(v): v for v in videos}


def frame_video(name: str, lookup: Mapping[tuple[str, str], str]) -> str | None:
    """The video a frame sample ``name`` belongs to; ``None`` for a name that is no frame."""
    base = name.rpartition(".")[0] or name  # drop the frame's image extension (.png)
    parts = base.rsplit("-", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return lookup.get((parts[0], parts[2]))
