"""Videos of the INPUT datasource: local copies, probes, and the frames they expand into.

PyAV decodes files, not object-store keys, so every video is copied once per attempt into a
scratch folder (:class:`VideoCache`); the DataLoader workers decode from those copies. Listing
a video only demuxes it (:func:`~winnow_gpu_worker.ml.video.probe_video`): its frames are
samples named as Lightly names them (:func:`~winnow_gpu_worker.ml.video.frame_name`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from winnow_common.errors import StorageError, StorageUnavailable
from winnow_common.storage import DatasourceStore
from winnow_common.video_frames import frame_name
from winnow_gpu_worker.ml.images import encode_png
from winnow_gpu_worker.ml.video import VideoProbe, iter_video_frames, probe_video

log = logging.getLogger(__name__)

# Copying and demuxing are I/O bound: a few threads hide an object store's latency.
PROBE_THREADS = 4


class VideoCache:
    """Local copies of INPUT videos, made on first use and kept for the attempt.

    Thread-safe; ``close`` deletes the copies. Paths stay valid for DataLoader worker processes
    (they run on the same machine).
    """

    def __init__(self, store: DatasourceStore, root: str | None = None) -> None:
        self.store = store
        self._tmp = tempfile.TemporaryDirectory(prefix="winnow-videos-", dir=root)
        self.root = Path(self._tmp.name)
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}

    def path(self, key: str) -> str:
        """The local path of video ``key``, copied from the store on first use."""
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        target = self.root / f"{digest}{PurePosixPath(key).suffix.lower()}"
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if not target.exists():
                partial = target.with_suffix(target.suffix + ".part")
                with open(partial, "wb") as out:
                    for chunk in self.store.iter_chunks(key):
                        out.write(chunk)
                os.replace(partial, target)
        return str(target)

    def close(self) -> None:
        """Delete every local copy."""
        self._tmp.cleanup()


@dataclass(frozen=True)
class FrameOf:
    """Which video a frame sample comes from."""

    video: str
    index: int


def probe_videos(
    cache: VideoCache,
    keys: Iterable[str],
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, VideoProbe]:
    """Copy and demux every video; a video that cannot be read or listed gets a ``reason``."""
    keys = list(keys)

    def probe(key: str) -> VideoProbe:
        try:
            path = cache.path(key)
        except StorageUnavailable:
            raise  # an outage says nothing about the file
        except (StorageError, OSError) as exc:
            reason = f"file is missing or not readable: {exc}"
            return VideoProbe(0, (), 1, 1, 0.0, reason)
        found = probe_video(path)
        if found.reason is not None and path in found.reason:
            # The local copy's path means nothing to the user: name the video instead.
            found = replace(found, reason=found.reason.replace(path, key))
        return found

    probes: dict[str, VideoProbe] = {}
    with ThreadPoolExecutor(max(1, min(PROBE_THREADS, len(keys)))) as pool:
        for done, (key, found) in enumerate(zip(keys, pool.map(probe, keys), strict=True), 1):
            probes[key] = found
            if found.reason is not None:
                log.warning("corrupt video: %s (%s)", key, found.reason)
            if progress is not None:
                progress(done, len(keys), f"{found.n_frames} frames in {key}")
    return probes


def frames_of(probes: dict[str, VideoProbe]) -> dict[str, FrameOf]:
    """Every frame sample of the usable videos: ``{frame name: (video, index)}``."""
    frames: dict[str, FrameOf] = {}
    for video, probe in probes.items():
        if probe.reason is not None:
            continue
        for index in range(probe.n_frames):
            frames[frame_name(video, index, probe.n_frames)] = FrameOf(video, index)
    return frames


def by_video(names: Iterable[str], frames: dict[str, FrameOf]) -> dict[str, list[str]]:
    """The frame names among ``names`` grouped by video, each group in frame order."""
    groups: dict[str, list[str]] = {}
    for name in names:
        frame = frames.get(name)
        if frame is not None:
            groups.setdefault(frame.video, []).append(name)
    for group in groups.values():
        group.sort(key=lambda n: frames[n].index)
    return dict(sorted(groups.items()))


class FrameReader:
    """``read(name)``: PNG bytes of a frame sample, else ``read_other(name)`` (picklable).

    Decodes one frame per call (a seek to the keyframe before it): for random access, such as
    training's shuffled batches; the embedding and saving stages decode videos sequentially.
    """

    def __init__(
        self,
        read_other: Callable[[str], bytes],
        frames: dict[str, FrameOf],
        videos: dict[str, tuple[str, VideoProbe]],
    ) -> None:
        self.read_other = read_other
        self.frames = frames
        self.videos = videos  # video key -> (local path, probe)

    def __call__(self, name: str) -> bytes:
        frame = self.frames.get(name)
        if frame is None:
            return self.read_other(name)
        path, probe = self.videos[frame.video]
        for _index, image, error in iter_video_frames(path, probe, [frame.index]):
            if image is None:
                raise ValueError(f"frame {frame.index} of {frame.video}: {error}")
            return encode_png(image)
        raise ValueError(f"frame {frame.index} of {frame.video} was not decoded")
