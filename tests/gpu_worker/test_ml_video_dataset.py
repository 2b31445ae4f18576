"""Video frames through DataLoader workers (ml/video_dataset.py) and ``embed_dataset``."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from tests.videos import decode_all, write_moving_shapes, write_truncated
from winnow_common.video_frames import frame_name
from winnow_gpu_worker.ml.embed import (
    _decode_rgb,
    build_backbone,
    embed_dataset,
    embed_images,
    rgb_to_array,
)
from winnow_gpu_worker.ml.video import VideoProbe, probe_video
from winnow_gpu_worker.ml.video_dataset import FrameRef, VideoFramesDataset, worker_slice

SIZE = 32


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, VideoProbe]]:
    root = tmp_path_factory.mktemp("video_frames")
    write_moving_shapes(root / "a.mp4", n_frames=24, scene_cut_at=12, gop_size=6)
    write_moving_shapes(root / "b.avi", n_frames=18, size=(80, 48), gop_size=5)
    write_moving_shapes(root / "c.mkv", n_frames=10, size=(64, 48))
    write_truncated(root / "d.mp4", n_frames=60, size=(160, 120))
    out = {}
    for name in ("a.mp4", "b.avi", "c.mkv", "d.mp4"):
        path = str(root / name)
        out[name] = (path, probe_video(path))
    return out


def _refs(videos: dict[str, tuple[str, VideoProbe]], keys: list[str]) -> list[FrameRef]:
    """One FrameRef per frame of the ``keys`` videos, positions in a shuffled order."""
    pairs = [(k, i) for k in keys for i in range(videos[k][1].n_frames)]
    order = np.random.default_rng(0).permutation(len(pairs))
    refs = []
    for position, j in enumerate(order):
        key, index = pairs[int(j)]
        path, probe = videos[key]
        refs.append(FrameRef(position, path, probe, index))
    return refs


def test_worker_slices_are_contiguous_and_cover_everything() -> None:
    for n in (0, 1, 7, 10):
        for workers in (1, 2, 3):
            parts = [worker_slice(n, w, workers) for w in range(workers)]
            assert [i for p in parts for i in p] == list(range(n))
            assert max(len(p) for p in parts) - min(len(p) for p in parts) <= 1


@pytest.mark.parametrize("num_workers", [0, 2])
def test_every_frame_once_equal_to_the_full_decode(
    videos: dict[str, tuple[str, VideoProbe]], num_workers: int
) -> None:
    refs = _refs(videos, ["a.mp4", "b.avi", "c.mkv"])
    reference = {k: decode_all(videos[k][0]) for k in ("a.mp4", "b.avi", "c.mkv")}
    by_path = {path: key for key, (path, _) in videos.items()}
    loader = DataLoader(VideoFramesDataset(refs, SIZE), batch_size=5, num_workers=num_workers)
    seen: dict[int, torch.Tensor] = {}
    for tensors, positions, errors in loader:
        assert tensors.shape[1:] == (3, SIZE, SIZE) and tensors.dtype == torch.float32
        assert list(errors) == [""] * len(errors)
        for tensor, position in zip(tensors, positions.tolist(), strict=True):
            assert position not in seen
            seen[position] = tensor
    assert sorted(seen) == list(range(len(refs)))
    for ref in refs:
        frame = reference[by_path[ref.path]][ref.frame_index]
        expected = rgb_to_array(frame.image, SIZE)
        np.testing.assert_allclose(seen[ref.position].numpy(), expected, rtol=0, atol=1e-6)


def test_a_frame_equals_its_extracted_png(videos: dict[str, tuple[str, VideoProbe]]) -> None:
    path, probe = videos["a.mp4"]
    frame = decode_all(path)[13]
    buf = io.BytesIO()
    frame.image.save(buf, format="PNG")
    items = list(VideoFramesDataset([FrameRef(0, path, probe, 13)], SIZE))
    assert len(items) == 1 and items[0][1:] == (0, "")
    np.testing.assert_allclose(items[0][0].numpy(), _decode_rgb(buf.getvalue(), SIZE), atol=1e-6)


def test_bad_frames_yield_zeros_and_a_reason(videos: dict[str, tuple[str, VideoProbe]]) -> None:
    path, probe = videos["d.mp4"]  # truncated: only the first frames decode
    good_path, good_probe = videos["c.mkv"]
    refs = [
        FrameRef(0, path, probe, 0),
        FrameRef(1, path, probe, probe.n_frames - 1),
        FrameRef(2, good_path, good_probe, 3),
        FrameRef(3, good_path, good_probe, 99),  # not in the video
        FrameRef(4, good_path, good_probe, 4),
    ]
    items = {pos: (t, e) for t, pos, e in VideoFramesDataset(refs, SIZE)}
    assert sorted(items) == [0, 1, 2, 3, 4]
    assert items[0][1] == "" and items[2][1] == "" and items[4][1] == ""
    assert items[1][1].startswith("truncated or undecodable: ")
    assert items[3][1] == "frame 99 is not in the video (10 frames)"
    for pos in (1, 3):
        assert torch.count_nonzero(items[pos][0]) == 0


def test_embed_dataset_on_frames_equals_embed_images_on_pngs(
    videos: dict[str, tuple[str, VideoProbe]],
) -> None:
    model, _ = build_backbone(seed=0)
    keys = ["a.mp4", "b.avi", "c.mkv"]
    refs = _refs(videos, keys)
    by_path = {path: key for key, (path, _) in videos.items()}
    names = [""] * len(refs)
    pngs: dict[str, bytes] = {}
    reference = {k: decode_all(videos[k][0]) for k in keys}
    for ref in refs:
        key = by_path[ref.path]
        name = frame_name(key, ref.frame_index, ref.probe.n_frames)
        names[ref.position] = name
        buf = io.BytesIO()
        reference[key][ref.frame_index].image.save(buf, format="PNG")
        pngs[name] = buf.getvalue()
    bad_path, bad_probe = videos["d.mp4"]
    refs.append(FrameRef(len(names), bad_path, bad_probe, bad_probe.n_frames - 1))
    names.append("d-bad-mp4.png")

    kwargs = {"batch_size": 8, "device": "cpu", "precision": "fp32"}
    from_video = embed_dataset(
        VideoFramesDataset(refs, SIZE), names, model, num_workers=2, input_size=SIZE, **kwargs
    )
    from_png = embed_images(list(pngs), pngs.__getitem__, model, input_size=SIZE, **kwargs)
    assert from_video.filenames == names[:-1]  # the caller's order, the bad frame left out
    assert list(from_video.failed) == ["d-bad-mp4.png"]
    assert from_video.failed["d-bad-mp4.png"].startswith("truncated or undecodable: ")
    assert from_png.failed == {} and sorted(from_video.filenames) == from_png.filenames
    rows = {n: from_png.embeddings[i] for i, n in enumerate(from_png.filenames)}
    expected = np.stack([rows[n] for n in from_video.filenames])
    np.testing.assert_allclose(from_video.embeddings, expected, rtol=1e-5, atol=1e-5)
    assert np.linalg.norm(from_video.embeddings[0] - from_video.embeddings[-1]) > 1e-3


def test_embed_dataset_with_nothing_decodable_reports_the_width(
    videos: dict[str, tuple[str, VideoProbe]],
) -> None:
    model, _ = build_backbone(seed=0)
    path, probe = videos["c.mkv"]
    result = embed_dataset(
        VideoFramesDataset([FrameRef(0, path, probe, 50)], SIZE),
        ["x"],
        model,
        device="cpu",
    )  # input_size comes from the dataset
    assert result.filenames == [] and result.embeddings.shape == (0, 32)
    assert list(result.failed) == ["x"]
