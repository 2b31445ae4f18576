"""Video listing, the corruptness scan and frame decoding (ml/video.py) on real PyAV videos."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.videos import (
    decode_all,
    write_garbage,
    write_jpeg_as_video,
    write_moving_shapes,
    write_non_monotonic,
    write_truncated,
    write_zero_frames,
)
from winnow_common.video_frames import FRAME_EXTENSION, frame_name
from winnow_gpu_worker.ml import video as video_mod
from winnow_gpu_worker.ml.video import (
    VideoProbe,
    iter_video_frames,
    probe_video,
    scan_video,
)

# name -> (writer keyword arguments); the scene cut and short GOPs give keyframes to seek to.
GOOD = {
    "shapes.mp4": {"n_frames": 40, "scene_cut_at": 20, "gop_size": 8},
    "shapes.avi": {"n_frames": 30, "gop_size": 6, "size": (80, 48)},
    "shapes.mkv": {"n_frames": 25, "size": (64, 48)},
    "shapes.mov": {"n_frames": 24, "codec": "mpeg4", "gop_size": 10, "scene_cut_at": 12},
    "long_gop.mp4": {"n_frames": 30, "size": (160, 120)},
}


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("videos")
    for name, kwargs in GOOD.items():
        write_moving_shapes(root / name, **kwargs)  # type: ignore[arg-type]
    write_truncated(root / "truncated.mp4", n_frames=60, size=(160, 120))
    write_truncated(root / "truncated.mkv", n_frames=30)
    write_garbage(root / "garbage.mp4")
    write_jpeg_as_video(root / "photo.mp4")
    write_zero_frames(root / "empty.avi")
    write_non_monotonic(root / "backwards.mkv")
    write_non_monotonic(root / "repeated.mkv", repeat=True)
    return root


def _pixels(image: Image.Image) -> np.ndarray:
    assert image.mode == "RGB"
    return np.asarray(image)


def test_frame_name_follows_lightly() -> None:
    assert FRAME_EXTENSION == "png"
    assert frame_name("subdir/video_1.mp4", 99, 200) == "subdir/video_1-099-mp4.png"
    assert frame_name("video.mp4", 0, 200) == "video-000-mp4.png"
    assert frame_name("video.mp4", 3, 5) == "video-3-mp4.png"
    assert frame_name("video.mp4", 9, 10) == "video-09-mp4.png"
    assert frame_name("a/b/c/clip.MOV", 12, 1000) == "a/b/c/clip-0012-MOV.png"
    assert frame_name("a.b.mp4", 7, 30) == "a.b-07-mp4.png"
    assert frame_name("dir.v2/take.avi", 1, 2) == "dir.v2/take-1-avi.png"


@pytest.mark.parametrize("name", sorted(GOOD))
def test_probe_lists_the_frames_a_full_decode_gives(videos: Path, name: str) -> None:
    path = str(videos / name)
    probe = probe_video(path)
    reference = decode_all(path)
    assert probe.reason is None
    assert probe.n_frames == len(reference) == GOOD[name]["n_frames"]
    assert list(probe.pts) == [f.pts for f in reference]
    tb = reference[0].time_base
    assert (probe.time_base_num, probe.time_base_den) == (tb.numerator, tb.denominator)
    assert probe.timestamps_sec() == pytest.approx([f.time for f in reference], abs=1e-9)
    assert probe.timestamp_sec(probe.n_frames - 1) == pytest.approx(reference[-1].time)
    assert probe.fps == pytest.approx(10.0)
    assert probe.duration_sec == pytest.approx(probe.n_frames / 10.0)
    assert probe.keyframes[0] == 0
    assert VideoProbe.from_json(json.loads(json.dumps(probe.to_json()))) == probe


def test_probe_finds_the_keyframes(videos: Path) -> None:
    probe = probe_video(str(videos / "shapes.mp4"))
    # every 8 frames, plus the one x264 puts at the scene cut
    assert {0, 8, 16, 20} <= set(probe.keyframes)
    assert probe_video(str(videos / "long_gop.mp4")).keyframes == (0,)


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("garbage.mp4", "not a readable video container"),
        ("photo.mp4", "not a video container: an image (jpeg_pipe)"),
        ("empty.avi", "zero frames"),
        ("missing.mp4", "not a readable video container"),
    ],
)
def test_probe_reason_for_files_without_frames(videos: Path, name: str, start: str) -> None:
    probe = probe_video(str(videos / name))
    assert probe.reason is not None and probe.reason.startswith(start), probe.reason
    assert probe.n_frames == 0 and probe.pts == ()
    assert scan_video(str(videos / name), probe) == probe.reason
    assert list(iter_video_frames(str(videos / name), probe, [])) == []


@pytest.mark.parametrize("name", sorted(GOOD))
def test_scan_of_a_good_video_sees_every_frame(videos: Path, name: str) -> None:
    path = str(videos / name)
    probe = probe_video(path)
    seen: list[tuple[int, np.ndarray]] = []
    assert scan_video(path, probe, lambda i, im: seen.append((i, _pixels(im)))) is None
    reference = decode_all(path)
    assert [i for i, _ in seen] == list(range(probe.n_frames))
    for (_, pixels), frame in zip(seen, reference, strict=True):
        np.testing.assert_array_equal(pixels, _pixels(frame.image))
    assert scan_video(path, probe) is None  # without a callback too


def test_scan_flags_a_truncated_mp4(videos: Path) -> None:
    path = str(videos / "truncated.mp4")
    probe = probe_video(path)
    # The index at the front still declares every frame; the data of the later ones is gone.
    assert probe.reason is None and probe.declared_frames == 60
    assert 0 < probe.n_frames < 60
    reason = scan_video(path, probe)
    assert reason is not None and reason.startswith("truncated or undecodable: "), reason


def test_scan_flags_a_truncated_mkv_by_its_declared_duration(videos: Path) -> None:
    path = str(videos / "truncated.mkv")
    probe = probe_video(path)
    assert probe.reason is None and 0 < probe.n_frames < 30
    reason = scan_video(path, probe)
    assert reason is not None and reason.startswith("truncated or undecodable: "), reason
    assert "declares 3.000 s" in reason


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("backwards.mkv", "non-monotonic timestamps: frame 7 pts 600 <= 700"),
        ("repeated.mkv", "non-monotonic timestamps: frame 7 pts 600 <= 600"),
    ],
)
def test_scan_flags_non_monotonic_timestamps(videos: Path, name: str, reason: str) -> None:
    path = str(videos / name)
    probe = probe_video(path)
    assert probe.reason is None and probe.n_frames == 20
    assert list(probe.pts) == sorted(probe.pts)  # listing sorts, as lightly does
    calls: list[int] = []
    assert scan_video(path, probe, lambda i, _im: calls.append(i)) == reason
    assert calls == list(range(7))  # the scan stops at the first bad timestamp


def test_scan_flags_a_frame_count_other_than_the_listing(videos: Path) -> None:
    path = str(videos / "shapes.avi")
    probe = probe_video(path)
    wrong = VideoProbe.from_json({**probe.to_json(), "n_frames": probe.n_frames + 1})
    assert scan_video(path, wrong) == "frame count mismatch: decoded 30 frames, the stream lists 31"


def _subsets(n: int, keyframes: tuple[int, ...], cut: int | None) -> list[list[int]]:
    rng = random.Random(n)
    fixed = [[n - 1], [0], list(range(n)), [0, n - 1]]
    fixed += [[k] for k in keyframes] + [[k + 1] for k in keyframes if k + 1 < n]
    if cut is not None:
        fixed += [[cut - 1, cut, cut + 1], [cut + 2, n - 1]]
    randoms = [sorted(rng.sample(range(n), rng.randint(1, n // 2))) for _ in range(6)]
    return fixed + randoms


@pytest.mark.parametrize("name", sorted(GOOD))
def test_iter_frames_equals_a_full_decode(videos: Path, name: str) -> None:
    path = str(videos / name)
    probe = probe_video(path)
    reference = decode_all(path)
    cut = GOOD[name].get("scene_cut_at")
    for indices in _subsets(probe.n_frames, probe.keyframes, cut):  # type: ignore[arg-type]
        got = list(iter_video_frames(path, probe, indices))
        assert [i for i, _, _ in got] == indices
        for index, image, error in got:
            assert error == "" and image is not None, (indices, index, error)
            np.testing.assert_array_equal(_pixels(image), _pixels(reference[index].image))


def test_iter_frames_seeks_to_the_keyframe_before_the_first_frame(
    videos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(videos / "shapes.mp4")
    probe = probe_video(path)
    decoded: list[int] = []
    original = video_mod._decoded

    def counting(container, stream, errors):  # type: ignore[no-untyped-def]
        for frame in original(container, stream, errors):
            decoded.append(frame.pts)
            yield frame

    monkeypatch.setattr(video_mod, "_decoded", counting)
    got = list(iter_video_frames(path, probe, [18, 19]))
    assert [(i, e) for i, _, e in got] == [(18, ""), (19, "")]
    # decoding started at the keyframe of frame 16, not at frame 0
    assert decoded[0] == probe.pts[16] and len(decoded) == 4


def test_iter_frames_reports_frames_it_cannot_decode(videos: Path) -> None:
    path = str(videos / "truncated.mp4")
    probe = probe_video(path)
    got = list(iter_video_frames(path, probe, range(probe.n_frames)))
    assert [i for i, _, _ in got] == list(range(probe.n_frames))
    failed = [(i, e) for i, im, e in got if im is None]
    # the frames of the packet cut short (and any that depend on it) fail; the rest decode
    assert failed and all(e.startswith("truncated or undecodable: ") for _, e in failed)
    assert failed[0][0] > probe.n_frames // 2
    assert all(e == "" for i, im, e in got if im is not None)

    backwards = str(videos / "backwards.mkv")
    probe = probe_video(backwards)
    got = list(iter_video_frames(backwards, probe, [5, 6, 7, 8]))
    assert [(i, im is None) for i, im, _ in got] == [(5, False), (6, True), (7, False), (8, False)]
    assert got[1][2] == "frame 6 (pts 600) was not found in the decoded stream"


def test_iter_frames_checks_its_indices(videos: Path) -> None:
    path = str(videos / "shapes.avi")
    probe = probe_video(path)
    with pytest.raises(ValueError, match="sorted ascending and unique"):
        list(iter_video_frames(path, probe, [3, 3]))
    with pytest.raises(ValueError, match="must lie in"):
        list(iter_video_frames(path, probe, [probe.n_frames]))
