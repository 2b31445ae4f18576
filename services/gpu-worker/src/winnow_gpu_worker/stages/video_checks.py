"""CHECKING_CORRUPTNESS for videos: one streaming decode per video serves every check.

Each video is decoded once, front to back (:func:`~winnow_gpu_worker.ml.video.scan_video`), one
frame alive at a time. That pass finds a corrupt video (truncated, undecodable, fewer frames
than listed, non-monotonic timestamps), hashes every frame's pixels for the exact-duplicate
check and computes its ``lightly.*`` metadata. A corrupt video never stops the run: it is
recorded with its reason and its frames are left out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from winnow_common.errors import StorageUnavailable
from winnow_common.video_frames import frame_name
from winnow_gpu_worker.ml.duplicates import content_hash
from winnow_gpu_worker.ml.metadata import compute_image_metadata
from winnow_gpu_worker.ml.video import VideoProbe, scan_video

log = logging.getLogger(__name__)

# Decoding holds the GIL only briefly (FFmpeg decodes in C), so a few videos go in parallel.
VIDEO_THREADS = 4


@dataclass
class VideoCheckResult:
    """Corrupt videos with their reasons, and per frame (clean videos only) hash and metadata."""

    corrupt_videos: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Scanned:
    video: str
    reason: str | None
    hashes: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)


def _scan(
    video: str,
    path: str,
    probe: VideoProbe,
    wanted: Collection[str],
    hash_content: bool,
) -> _Scanned:
    scanned = _Scanned(video, None)

    def on_frame(index: int, image: Image.Image) -> None:
        name = frame_name(video, index, probe.n_frames)
        if name not in wanted:
            return
        # A frame has no file of its own: its "content" is its decoded pixels (so sizeInBytes
        # is the uncompressed size, and two frames are exact duplicates iff pixel-identical).
        pixels = image.tobytes()
        if hash_content:
            scanned.hashes[name] = content_hash(f"{image.size}".encode() + pixels)
        scanned.metadata[name] = compute_image_metadata(pixels, image=image)

    reason = scan_video(path, probe, on_frame)
    # The local copy's path means nothing to the user: name the video instead.
    scanned.reason = reason.replace(path, video) if reason is not None else None
    return scanned


def check_videos(
    probes: dict[str, VideoProbe],
    local_path: Callable[[str], str],
    wanted: Collection[str],
    *,
    check_corruptness: bool,
    hash_content: bool,
    progress: Callable[[int, int, str], None],
) -> VideoCheckResult:
    """Decode every usable video once; hash and describe the frames named in ``wanted``.

    ``check_corruptness``: a video the decode finds corrupt is reported in
    ``corrupt_videos`` (its frames get no hash or metadata). With the check off the problem is
    only logged and the frames that did decode keep their values (as Lightly, which requires the
    check off for sequence selection, keeps such videos).
    """
    usable = {v: p for v, p in probes.items() if p.reason is None}
    result = VideoCheckResult()

    def scan(video: str) -> _Scanned:
        try:
            return _scan(video, local_path(video), usable[video], wanted, hash_content)
        except StorageUnavailable:
            raise
        except Exception as exc:  # a bug in a check must not stop the run or lose the video
            log.exception("could not check video %s", video)
            return _Scanned(video, f"could not be inspected ({type(exc).__name__}: {exc})")

    videos = sorted(usable)
    with ThreadPoolExecutor(max(1, min(VIDEO_THREADS, len(videos)))) as pool:
        for done, scanned in enumerate(pool.map(scan, videos), start=1):
            if scanned.reason is not None and check_corruptness:
                result.corrupt_videos[scanned.video] = scanned.reason
                log.warning("corrupt video: %s (%s)", scanned.video, scanned.reason)
            else:
                if scanned.reason is not None:
                    log.warning(
                        "video %s: %s (kept: the corruptness check is off)",
                        scanned.video,
                        scanned.reason,
                    )
                result.hashes.update(scanned.hashes)
                result.metadata.update(scanned.metadata)
            progress(done, len(videos), f"{len(result.corrupt_videos)} corrupt videos")
    return result
