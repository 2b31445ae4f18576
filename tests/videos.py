"""Small real test videos written with PyAV, good and corrupt, plus a reference full decode.

Good videos show a square moving right and a circle moving down on a coloured gradient; with
``scene_cut_at`` the background, colours and motion change from that frame on. The container
follows the file extension, the codec defaults per container (``.mp4``/``.mov``: libx264 with
B-frames, so packet and presentation order differ; ``.avi``: mpeg4; ``.mkv``: mjpeg).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

DEFAULT_CODECS = {".mp4": "libx264", ".mov": "libx264", ".avi": "mpeg4", ".mkv": "mjpeg"}


def _frame_pixels(i: int, n_frames: int, size: tuple[int, int], cut: bool) -> np.ndarray:
    """RGB pixels of frame ``i``: a gradient background, a moving square and circle."""
    w, h = size
    x = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    y = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    zero = 0 * x + 0 * y  # broadcasts every channel to h x w
    if cut:  # another scene: dark blue-green background, shapes move the other way
        channels = [0.1 + 0.1 * x + zero, 0.35 + 0.3 * y + zero, 0.5 + zero]
        square, disc = (250, 240, 20), (240, 240, 250)
    else:
        channels = [0.8 - 0.3 * y + zero, 0.6 + 0.2 * x + zero, 0.3 + zero]
        square, disc = (200, 20, 30), (20, 40, 200)
    img = Image.fromarray((np.concatenate(channels, 2) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    t = i / max(1, n_frames - 1)
    side = max(6, h // 4)
    sx = int((1 - t if cut else t) * (w - side))
    draw.rectangle([sx, h // 5, sx + side, h // 5 + side], fill=square)
    r = max(4, h // 8)
    cy = int(r + t * (h - 2 * r))
    cx = w // 3 if cut else 2 * w // 3
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=disc)
    return np.asarray(img)


def write_moving_shapes(
    path: str | Path,
    n_frames: int = 30,
    size: tuple[int, int] = (96, 64),
    fps: int = 10,
    codec: str | None = None,
    scene_cut_at: int | None = None,
    gop_size: int | None = None,
    faststart: bool = False,
) -> None:
    """Write a video of moving shapes to ``path`` (container from the extension).

    ``gop_size`` sets the keyframe interval (more keyframes to seek to); ``faststart`` puts an
    MP4's index before the data, so a truncated copy still opens and lists every frame.
    """
    path = Path(path)
    codec = codec or DEFAULT_CODECS[path.suffix.lower()]
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
        # One encoder thread: threaded x264 output differs from run to run, and so would the
        # bytes a truncated copy keeps.
        stream.codec_context.thread_count = 1
        if gop_size is not None:
            stream.codec_context.gop_size = gop_size
        for i in range(n_frames):
            cut = scene_cut_at is not None and i >= scene_cut_at
            pixels = _frame_pixels(i, n_frames, size, cut)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_truncated(path: str | Path, fraction: float = 0.6, **kwargs: object) -> None:
    """Write a good video (faststart for MP4) and cut the file at ``fraction`` of its bytes."""
    path = Path(path)
    if path.suffix.lower() in (".mp4", ".mov"):
        kwargs.setdefault("faststart", True)
    write_moving_shapes(path, **kwargs)  # type: ignore[arg-type]
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])


def write_garbage(path: str | Path, n_bytes: int = 4096, seed: int = 0) -> None:
    """Random bytes under a video name (no container recognises them)."""
    Path(path).write_bytes(np.random.default_rng(seed).bytes(n_bytes))


def write_jpeg_as_video(path: str | Path) -> None:
    """A JPEG photo renamed to a video name: a readable image, but no video."""
    buf = io.BytesIO()
    Image.fromarray(_frame_pixels(0, 1, (64, 48), False)).save(buf, format="JPEG")
    Path(path).write_bytes(buf.getvalue())


def write_zero_frames(path: str | Path, size: tuple[int, int] = (64, 48)) -> None:
    """An AVI with a video stream and no frames (``path`` should end in ``.avi``)."""
    with av.open(str(path), "w", format="avi") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        container.start_encoding()  # writes the header, so the stream exists without packets


def write_non_monotonic(
    path: str | Path, n_frames: int = 20, at: int = 7, repeat: bool = False
) -> None:
    """A Matroska MJPEG video whose timestamps go back (or repeat) at frame ``at``.

    Frames ``at - 1`` and ``at`` swap their timestamps, so the decoded order is ... 500, 700,
    600, 800 ... (ms); with ``repeat`` frame ``at`` gets the timestamp of frame ``at - 1``.
    MJPEG has no frame reordering, so the decoder emits frames in packet order; Matroska accepts
    equal decoding timestamps and stores presentation timestamps per block.
    """
    path = Path(path)
    good = path.with_name(path.stem + ".good.mkv")
    write_moving_shapes(good, n_frames=n_frames, codec="mjpeg")
    try:
        with av.open(str(good)) as src, av.open(str(path), "w", format="matroska") as dst:
            ist = src.streams.video[0]
            ost = dst.add_stream_from_template(ist)
            packets = [p for p in src.demux(ist) if p.pts is not None]
            before, this = packets[at - 1].pts, packets[at].pts
            if repeat:
                packets[at].pts = packets[at].dts = before
            else:  # decoding timestamps stay non-decreasing, as the muxer requires
                packets[at - 1].pts, packets[at - 1].dts = this, before
                packets[at].pts, packets[at].dts = before, before
            for packet in packets:
                packet.stream = ost
                dst.mux(packet)
    finally:
        good.unlink(missing_ok=True)


@dataclass
class DecodedFrame:
    """One frame of a plain PyAV full decode."""

    pts: int
    time: float
    image: Image.Image
    time_base: Fraction


def decode_all(path: str | Path) -> list[DecodedFrame]:
    """The reference: every frame of ``container.decode(video=0)`` with ``frame.to_image()``."""
    with av.open(str(path)) as container:
        return [
            DecodedFrame(f.pts, f.time, f.to_image(), f.time_base)
            for f in container.decode(video=0)
        ]
