"""Video files as frame sequences (PyAV): listing, the corruptness scan and frame decoding.

A video's frames are listed the way lightly lists them (torchvision's ``read_video_timestamps``):
demux the first video stream and collect the ``pts`` of its packets, sorted. Frame ``i`` is the
frame whose presentation timestamp is the ``i``-th of that list, and its image name follows
lightly's pattern (``winnow_common.video_frames.frame_name``). Everything here works on local
paths; no storage, Celery or database imports.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
from PIL import Image

# Category prefixes of the reasons (the corruptness report groups by them).
TRUNCATED = "truncated or undecodable"
NON_MONOTONIC = "non-monotonic timestamps"
FRAME_COUNT = "frame count mismatch"


@dataclass(frozen=True)
class VideoProbe:
    """What demuxing a video tells about its frames (no decoding).

    ``pts`` are the sorted packet timestamps of the first video stream in units of
    ``time_base_num / time_base_den``; ``reason`` is ``None`` when frames can be listed, else why
    not. ``declared_frames`` / ``declared_duration_sec`` are what the container's header claims
    (0 when it does not say); :func:`scan_video` uses them to recognise a truncated file whose
    remaining packets are intact. ``keyframes`` are the frame indices of keyframe packets, where
    :func:`iter_video_frames` may seek to.
    """

    n_frames: int
    pts: tuple[int, ...]
    time_base_num: int
    time_base_den: int
    fps: float
    reason: str | None
    declared_frames: int = 0
    declared_duration_sec: float = 0.0
    keyframes: tuple[int, ...] = ()

    def timestamp_sec(self, index: int) -> float:
        """Presentation time of frame ``index`` in seconds (``pts[index] * time_base``)."""
        return float(Fraction(self.pts[index] * self.time_base_num, self.time_base_den))

    def timestamps_sec(self) -> list[float]:
        """Presentation times of all frames in seconds, in frame order."""
        return [self.timestamp_sec(i) for i in range(self.n_frames)]

    @property
    def duration_sec(self) -> float:
        """Seconds from the first frame's start to the last frame's end (0.0 without frames).

        The last frame lasts ``1 / fps`` (nothing when the rate is unknown).
        """
        if not self.pts:
            return 0.0
        span = self.timestamp_sec(self.n_frames - 1) - self.timestamp_sec(0)
        return span + (1.0 / self.fps if self.fps > 0 else 0.0)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (round-trips through :meth:`from_json`)."""
        return {
            "n_frames": self.n_frames,
            "pts": list(self.pts),
            "time_base": [self.time_base_num, self.time_base_den],
            "fps": self.fps,
            "reason": self.reason,
            "declared_frames": self.declared_frames,
            "declared_duration_sec": self.declared_duration_sec,
            "keyframes": list(self.keyframes),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> VideoProbe:
        """Rebuild a probe from :meth:`to_json`'s dict."""
        num, den = d["time_base"]
        return cls(
            n_frames=int(d["n_frames"]),
            pts=tuple(int(p) for p in d["pts"]),
            time_base_num=int(num),
            time_base_den=int(den),
            fps=float(d["fps"]),
            reason=d.get("reason"),
            declared_frames=int(d.get("declared_frames", 0)),
            declared_duration_sec=float(d.get("declared_duration_sec", 0.0)),
            keyframes=tuple(int(k) for k in d.get("keyframes", ())),
        )


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# FFmpeg's demuxers for still images (``jpeg_pipe``, ``png_pipe``, ... and these): a photo
# renamed to a video name opens as a one-frame "video" and is reported as the wrong container.
_IMAGE_DEMUXERS = frozenset({"image2", "image2pipe", "gif", "apng", "ico", "alias_pix"})


def _image_demuxer(name: str) -> bool:
    return name.endswith("_pipe") or name in _IMAGE_DEMUXERS


def _failed_probe(reason: str, tb: tuple[int, int] = (1, 1), fps: float = 0.0) -> VideoProbe:
    return VideoProbe(0, (), tb[0], tb[1], fps, reason)


def _declared_duration(container: Any, stream: Any) -> float:
    """The video stream's duration in seconds as the header states it (0.0 if unknown)."""
    if stream.duration and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    # A container-wide duration covers every stream; an audio track may legitimately run
    # longer than the video, so it only stands for the video when there is nothing else.
    if container.duration and len(container.streams) == 1:
        return float(container.duration) / av.time_base
    return 0.0


def probe_video(path: str) -> VideoProbe:
    """List the frames of the video at ``path`` by demuxing its first video stream.

    Cheap (no decoding). Never raises for a bad file: ``reason`` says why no frames can be
    listed (not a video container, no video stream, zero frames, demux error). A truncated file
    may still probe fine; :func:`scan_video` then finds the problem.
    """
    try:
        container = av.open(path, "r")
    except Exception as exc:  # any open failure means "not a readable video container"
        return _failed_probe(f"not a readable video container: {_describe(exc)}")
    with container:
        if _image_demuxer(container.format.name):
            return _failed_probe(f"not a video container: an image ({container.format.name})")
        if not container.streams.video:
            return _failed_probe("no video stream")
        stream = container.streams.video[0]
        tb = stream.time_base or Fraction(1, 1)
        tb_pair = (tb.numerator, tb.denominator)
        fps = float(stream.average_rate) if stream.average_rate else 0.0
        packets: list[tuple[int, bool]] = []
        try:
            for packet in container.demux(stream):
                if packet.pts is not None:  # the final flush packet has none
                    packets.append((packet.pts, packet.is_keyframe))
        except Exception as exc:  # demuxing stopped with an error: no reliable frame list
            return _failed_probe(f"demux error: {_describe(exc)}", tb_pair, fps)
        if not packets:
            return _failed_probe("zero frames", tb_pair, fps)
        pts = tuple(sorted(p for p, _ in packets))
        keyframes = sorted({bisect.bisect_left(pts, p) for p, key in packets if key})
        return VideoProbe(
            n_frames=len(pts),
            pts=pts,
            time_base_num=tb_pair[0],
            time_base_den=tb_pair[1],
            fps=fps,
            reason=None,
            declared_frames=max(0, int(stream.frames or 0)),
            declared_duration_sec=_declared_duration(container, stream),
            keyframes=tuple(keyframes),
        )


def _declared_mismatch(probe: VideoProbe) -> str | None:
    """Why the header's frame count or duration says the file lost its end (None if it fits)."""
    if probe.declared_frames > probe.n_frames:
        return (
            f"{TRUNCATED}: the container declares {probe.declared_frames} frames, "
            f"{probe.n_frames} can be read"
        )
    declared = probe.declared_duration_sec
    if declared > 0 and probe.fps > 0:
        # A frame or two of slack: headers round durations and may count the last frame's length.
        slack = max(2.0 / probe.fps, 0.1)
        if probe.duration_sec + slack < declared:
            return (
                f"{TRUNCATED}: the container declares {declared:.3f} s, "
                f"the frames cover {probe.duration_sec:.3f} s"
            )
    return None


def scan_video(
    path: str,
    probe: VideoProbe,
    on_frame: Callable[[int, Image.Image], None] | None = None,
) -> str | None:
    """Decode the whole video once and return why it is corrupt, or ``None`` if it is clean.

    Streams the decode (one frame alive at a time) and calls ``on_frame(index, rgb_image)`` for
    every decoded frame in presentation order. Corrupt means: a demux or decode error or a
    damaged packet (``"truncated or undecodable: ..."``, also when the header declares more
    frames or time than the file holds), decoded timestamps that do not increase
    (``"non-monotonic timestamps: frame 7 pts 3000 <= 3000"``), or a decoded frame count other
    than ``probe.n_frames`` (``"frame count mismatch: ..."``). The scan stops at the first
    error or non-increasing timestamp.
    """
    if probe.reason is not None:
        return probe.reason
    count = 0
    previous: int | None = None
    try:
        with av.open(path, "r") as container:
            stream = container.streams.video[0]
            for packet in container.demux(stream):
                if packet.is_corrupt:
                    return f"{TRUNCATED}: damaged packet at pts {packet.pts}"
                for frame in packet.decode():
                    pts = frame.pts
                    if pts is None:
                        return f"{TRUNCATED}: frame {count} has no timestamp"
                    if previous is not None and pts <= previous:
                        return f"{NON_MONOTONIC}: frame {count} pts {pts} <= {previous}"
                    if on_frame is not None:
                        on_frame(count, frame.to_image())
                    previous = pts
                    count += 1
    except Exception as exc:  # decode or demux failure: the file is damaged
        return f"{TRUNCATED}: {_describe(exc)} after {count} frames"
    if count != probe.n_frames:
        return f"{FRAME_COUNT}: decoded {count} frames, the stream lists {probe.n_frames}"
    return _declared_mismatch(probe)


def _seek_index(probe: VideoProbe, first: int) -> int:
    """The keyframe index to seek to before decoding frame ``first`` (0: decode from the start)."""
    at = bisect.bisect_right(probe.keyframes, first) - 1
    return probe.keyframes[at] if at >= 0 else 0


def _open_at(path: str, probe: VideoProbe, start: int) -> tuple[Any, Any]:
    """Open ``path`` and position its first video stream at the keyframe of frame ``start``."""
    container = av.open(path, "r")
    stream = container.streams.video[0]
    if start > 0:
        container.seek(probe.pts[start], stream=stream, backward=True, any_frame=False)
    return container, stream


def _decoded(container: Any, stream: Any, errors: list[str]) -> Iterator[Any]:
    """Decoded frames of ``stream``; a damaged or undecodable packet is recorded and skipped."""
    try:
        for packet in container.demux(stream):
            if packet.is_corrupt:  # cut short: what a decoder makes of it is not the frame
                errors.append(f"damaged packet at pts {packet.pts}")
                continue
            try:
                yield from packet.decode()
            except av.error.FFmpegError as exc:  # one bad packet; later ones may still decode
                errors.append(_describe(exc))
    except Exception as exc:  # demuxing cannot go on
        errors.append(_describe(exc))


def iter_video_frames(
    path: str, probe: VideoProbe, indices: Sequence[int]
) -> Iterator[tuple[int, Image.Image | None, str]]:
    """Decode just the frames ``indices`` (sorted ascending, unique) of the video at ``path``.

    Seeks once, to the last keyframe at or before the first requested frame (only when that
    skips frames), then decodes forward, recognising frame ``i`` by ``pts == probe.pts[i]``.
    Yields ``(index, rgb image, "")`` for each requested frame in order, or ``(index, None,
    reason)`` for one that cannot be decoded (the rest still follow). The pixels equal a plain
    full decode (``container.decode(video=0)``, ``frame.to_image()``).
    """
    wanted = list(indices)
    if any(b <= a for a, b in itertools.pairwise(wanted)):
        raise ValueError("indices must be sorted ascending and unique")
    if wanted and (wanted[0] < 0 or wanted[-1] >= probe.n_frames):
        raise ValueError(f"frame indices must lie in [0, {probe.n_frames})")
    if not wanted:
        return
    if probe.reason is not None:
        for index in wanted:
            yield index, None, probe.reason
        return
    start = _seek_index(probe, wanted[0])
    done = 0
    errors: list[str] = []
    try:
        for index, image in _match_frames(path, probe, start, wanted, errors):
            while wanted[done] < index:  # passed over: never decoded at its timestamp
                yield wanted[done], None, _missing(probe, wanted[done], errors)
                done += 1
            yield index, image, ""
            done += 1
    except Exception as exc:  # could not even open the file
        errors.append(_describe(exc))
    for index in wanted[done:]:
        yield index, None, _missing(probe, index, errors)


def _missing(probe: VideoProbe, index: int, errors: list[str]) -> str:
    if errors:
        return f"{TRUNCATED}: {errors[-1]}"
    return f"frame {index} (pts {probe.pts[index]}) was not found in the decoded stream"


def _match_frames(
    path: str, probe: VideoProbe, start: int, wanted: list[int], errors: list[str]
) -> Iterator[tuple[int, Image.Image]]:
    """Yield ``(index, image)`` for each requested frame that decodes at its timestamp."""
    pts = probe.pts
    targets = set(wanted)
    container, stream = _open_at(path, probe, start)
    try:
        cursor = 0  # frames below it were matched already or lie before the first decoded one
        first = True
        for frame in _decoded(container, stream, errors):
            p = frame.pts
            if p is None:
                continue
            if first and start > 0 and p > pts[wanted[0]]:
                # The demuxer landed after the first requested frame: decode from the start.
                container.close()
                yield from _match_frames(path, probe, 0, wanted, errors)
                return
            first = False
            index = bisect.bisect_left(pts, p, lo=cursor)
            if index >= len(pts) or pts[index] != p:
                continue  # pre-roll before the cursor or a timestamp the listing lacks
            cursor = index + 1
            if index in targets:
                yield index, frame.to_image()
                if index == wanted[-1]:
                    return
    finally:
        container.close()
