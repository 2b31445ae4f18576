"""Video frames per second: listing, the corruptness scan, and decode + embed, against PNGs.

Generates (once, in a temporary directory) ``--videos`` MP4s (libx264, ``--frames`` frames each,
320x240, 30 fps, keyframe every 60 frames) of a camera panning and zooming across the bundled
``skimage.data`` photos, with a moving square and a scene cut halfway. Then measures, on this
machine:

* probe      -- ``probe_video`` (demux only) of every video;
* scan       -- ``scan_video`` (full decode) without and with ``on_frame`` (RGB conversion);
* loader     -- the model inputs alone: a DataLoader (batch 64, 0 / 2 worker processes) over
                ``VideoFramesDataset`` (every frame; each worker decodes a contiguous slice)
                against, as the reference, ``ImageBytesDataset`` over the same frames
                pre-extracted as PNG bytes (in memory);
* embed      -- end to end: ``embed_dataset`` over ``VideoFramesDataset`` against
                ``embed_images`` over the PNGs, with the worker's default model (lightly's
                resnet-18 CLI model, num_ftrs 32, input 64, seeded init), on the first
                ``--embed-frames`` frames of each video (the model dominates on a CPU).

Each case is the best of ``--rounds`` wall times. The embeddings of the video and PNG paths are
compared (max abs difference). Ratios are reference time / video time (> 1: video faster).

    .venv/bin/python benchmarks/bench_video.py            # 4 videos x 300 frames, ~1-2 min
    .venv/bin/python benchmarks/bench_video.py --quick    # 2 x 60 frames, smoke run
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "services" / "gpu-worker" / "src"))
sys.path.insert(0, str(REPO / "packages" / "common" / "src"))

from winnow_gpu_worker.ml.embed import (  # noqa: E402
    ImageBytesDataset,
    build_backbone,
    embed_dataset,
    embed_images,
)
from winnow_gpu_worker.ml.video import (  # noqa: E402
    VideoProbe,
    frame_name,
    iter_video_frames,
    probe_video,
    scan_video,
)
from winnow_gpu_worker.ml.video_dataset import FrameRef, VideoFramesDataset  # noqa: E402

SIZE = (320, 240)
FPS = 30
_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "retina")


def _photo(name: str) -> np.ndarray:
    import skimage.data

    arr = np.asarray(getattr(skimage.data, name)())
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    img = Image.fromarray(np.ascontiguousarray(arr[..., :3]).astype(np.uint8))
    return np.asarray(img.resize((640, 480), Image.Resampling.BILINEAR))


def _view(photo: np.ndarray, t: float) -> np.ndarray:
    """A 320x240 view panning and zooming over ``photo`` at time ``t`` in [0, 1]."""
    zoom = 1.0 + 0.6 * t
    cw, ch = int(SIZE[0] * 1.6 / zoom), int(SIZE[1] * 1.6 / zoom)
    x0 = int(t * (photo.shape[1] - cw))
    y0 = int((0.5 + 0.5 * np.sin(6 * t)) * (photo.shape[0] - ch))
    crop = Image.fromarray(photo[y0 : y0 + ch, x0 : x0 + cw])
    out = np.array(crop.resize(SIZE, Image.Resampling.BILINEAR))
    sx = int(t * (SIZE[0] - 40))
    out[100:140, sx : sx + 40] = (220, 30, 30)  # a moving square
    return out


def write_video(path: Path, n_frames: int, first: np.ndarray, second: np.ndarray) -> None:
    """An MP4 with a scene cut halfway (from a view of ``first`` to one of ``second``)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = 60
        for i in range(n_frames):
            photo = first if i < n_frames // 2 else second
            frame = av.VideoFrame.from_ndarray(_view(photo, i / n_frames), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def best_of(rounds: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """The smallest wall time of ``rounds`` calls of ``fn`` and the last call's result."""
    best, result = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def extract_pngs(videos: list[tuple[str, str, VideoProbe]]) -> dict[str, bytes]:
    """Every frame as PNG bytes under Lightly's frame name (the reference's inputs)."""
    out: dict[str, bytes] = {}
    for key, path, probe in videos:
        for index, image, error in iter_video_frames(path, probe, range(probe.n_frames)):
            assert image is not None, error
            buf = io.BytesIO()
            image.save(buf, format="PNG", compress_level=1)
            out[frame_name(key, index, probe.n_frames)] = buf.getvalue()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--embed-frames", type=int, default=16, help="per video, for embed")
    parser.add_argument("--quick", action="store_true", help="2 videos x 60 frames, 1 round")
    args = parser.parse_args()
    if args.quick:
        args.videos, args.frames, args.rounds, args.embed_frames = 2, 60, 1, 8

    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else args.device
    device = "cpu" if device == "auto" else device
    gpu = f" ({torch.cuda.get_device_name(0)})" if device.startswith("cuda") else ""
    print(
        f"machine: {os.cpu_count()} CPUs, torch {torch.__version__}, PyAV {av.__version__}, "
        f"device {device}{gpu}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
        run(Path(tmp), args, device)


def run(tmp: Path, args: argparse.Namespace, device: str) -> None:
    photos = [_photo(name) for name in _PHOTOS]
    start = time.perf_counter()
    keys = []
    for v in range(args.videos):
        key = f"clips/video_{v}.mp4"
        (tmp / key).parent.mkdir(parents=True, exist_ok=True)
        write_video(tmp / key, args.frames, photos[v % len(photos)], photos[(v + 3) % len(photos)])
        keys.append(key)
    size_mb = sum((tmp / k).stat().st_size for k in keys) / 1e6
    total = args.videos * args.frames
    print(
        f"videos: {args.videos} x {args.frames} frames, {SIZE[0]}x{SIZE[1]} libx264, "
        f"{size_mb:.1f} MB, generated in {time.perf_counter() - start:.1f} s"
    )

    def probe_all() -> list[tuple[str, str, VideoProbe]]:
        return [(k, str(tmp / k), probe_video(str(tmp / k))) for k in keys]

    rows: list[tuple[str, float]] = []
    seconds, videos = best_of(args.rounds, probe_all)
    assert sum(p.n_frames for _, _, p in videos) == total
    rows.append(("probe (demux)", total / seconds))

    def scan_all(convert: bool) -> None:
        on_frame = (lambda _i, _im: None) if convert else None
        for _, path, probe in videos:
            assert scan_video(path, probe, on_frame) is None

    seconds, _ = best_of(args.rounds, lambda: scan_all(False))
    rows.append(("scan (full decode)", total / seconds))
    seconds, _ = best_of(args.rounds, lambda: scan_all(True))
    rows.append(("scan + on_frame (RGB images)", total / seconds))
    for label, fps in rows:
        print(f"  {label:<34} {fps:9.0f} frames/s")

    start = time.perf_counter()
    pngs = extract_pngs(videos)
    print(f"reference inputs: {len(pngs)} PNGs extracted in {time.perf_counter() - start:.1f} s")
    loader_cases(videos, pngs, args)
    embed_cases(videos, pngs, args, device)


def _frame_refs(
    videos: list[tuple[str, str, VideoProbe]], per_video: int | None = None
) -> tuple[list[FrameRef], list[str]]:
    refs, names = [], []
    for key, path, probe in videos:
        for index in range(min(probe.n_frames, per_video or probe.n_frames)):
            refs.append(FrameRef(len(names), path, probe, index))
            names.append(frame_name(key, index, probe.n_frames))
    return refs, names


def loader_cases(
    videos: list[tuple[str, str, VideoProbe]], pngs: dict[str, bytes], args: argparse.Namespace
) -> None:
    """Model inputs per second from the videos vs from the PNGs (no model)."""
    refs, names = _frame_refs(videos)

    def drain(dataset: Any, workers: int) -> int:
        loader = DataLoader(dataset, batch_size=args.batch_size, num_workers=workers)
        return sum(len(errors) - sum(map(bool, errors)) for _, _, errors in loader)

    print(f"model inputs (DataLoader, batch {args.batch_size}, input 64), {len(names)} frames:")
    for workers in (0, 2):
        video_ds = VideoFramesDataset(refs, 64)
        png_ds = ImageBytesDataset(names, pngs.__getitem__, 64)
        t_video, n_video = best_of(args.rounds, lambda d=video_ds, w=workers: drain(d, w))
        t_png, n_png = best_of(args.rounds, lambda d=png_ds, w=workers: drain(d, w))
        assert n_video == n_png == len(names)
        print(
            f"  workers={workers}: video {len(names) / t_video:7.0f} frames/s, PNG reference "
            f"{len(names) / t_png:7.0f} frames/s, ratio {t_png / t_video:5.2f}x"
        )


def embed_cases(
    videos: list[tuple[str, str, VideoProbe]],
    pngs: dict[str, bytes],
    args: argparse.Namespace,
    device: str,
) -> None:
    """Decode + embed from the videos vs from the extracted PNGs, 0 and 2 decode workers."""
    model, _ = build_backbone(seed=1)  # the worker's default model, untrained
    refs, names = _frame_refs(videos, args.embed_frames)
    subset = {n: pngs[n] for n in names}
    common = {"batch_size": args.batch_size, "device": device}
    print(f"embed end to end ({len(names)} frames: the first {args.embed_frames} of each video):")
    for workers in (0, 2):

        def from_video(w: int = workers) -> Any:
            dataset = VideoFramesDataset(refs, 64)
            return embed_dataset(dataset, names, model, num_workers=w, **common)

        def from_png(w: int = workers) -> Any:
            return embed_images(list(subset), subset.__getitem__, model, num_workers=w, **common)

        t_video, video = best_of(args.rounds, from_video)
        t_png, png = best_of(args.rounds, from_png)
        assert not video.failed and not png.failed
        rows = {n: png.embeddings[i] for i, n in enumerate(png.filenames)}
        diff = float(np.abs(video.embeddings - np.stack([rows[n] for n in names])).max())
        n = len(names)
        print(
            f"  workers={workers}: video {n / t_video:7.0f} frames/s, PNG reference "
            f"{n / t_png:7.0f} frames/s, ratio {t_png / t_video:5.2f}x "
            f"(precision {video.precision}/{png.precision}, max |diff| {diff:.2e})"
        )


if __name__ == "__main__":
    main()
