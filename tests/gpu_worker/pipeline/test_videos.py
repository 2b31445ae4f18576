"""Video input through the whole pipeline: frames as samples, corrupt videos, dumps, sequences.

The videos are real files written by PyAV (``tests.videos``); every expectation about frames
(count, names, timestamps, pixels) comes from a plain PyAV decode of the same file.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.gpu_worker.pipeline.helpers import KEYS, config_doc, lines, run_local, write_images
from tests.videos import (
    decode_all,
    write_garbage,
    write_moving_shapes,
    write_non_monotonic,
    write_truncated,
    write_zero_frames,
)
from winnow_common.storage.keys import frame_image_key
from winnow_common.video_frames import frame_name

GOOD = {"clips/moving.mp4": 40, "clips/other.avi": 12}
BAD = ("bad/truncated.mp4", "bad/garbage.mp4", "bad/zero.avi", "bad/nonmono.mkv")


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def video_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two good videos (an MP4 with a scene cut, an AVI), four corrupt ones and one image."""
    root = tmp_path_factory.mktemp("videos")
    (root / "clips").mkdir()
    (root / "bad").mkdir()
    write_moving_shapes(root / "clips/moving.mp4", n_frames=40, scene_cut_at=20, gop_size=8)
    write_moving_shapes(root / "clips/other.avi", n_frames=12)
    write_truncated(root / "bad/truncated.mp4", n_frames=40)
    write_garbage(root / "bad/garbage.mp4")
    write_zero_frames(root / "bad/zero.avi")
    write_non_monotonic(root / "bad/nonmono.mkv")
    write_images(root, 1, prefix="img/")
    return root


def _frames_of(root: Path, video: str) -> list[str]:
    n = len(decode_all(root / video))
    return [frame_name(video, i, n) for i in range(n)]


def test_a_video_run_selects_frames_and_flags_corrupt_videos(
    video_root: Path, tmp_path: Path
) -> None:
    doc = config_doc(dumpDataset=True)
    (tmp_path / "lightly").mkdir()
    result, lightly, recorder = run_local(video_root, tmp_path / "lightly", doc)

    # Frame names, counts and timestamps are PyAV's own.
    expected = {name for video in GOOD for name in _frames_of(video_root, video)}
    assert "clips/moving-07-mp4.png" in expected and "clips/other-11-avi.png" in expected
    assert {n for n in result.frames if n.startswith("clips/")} == expected
    # The frames of corrupt videos are not input samples (the videos are reported instead).
    assert result.n_input == len(expected) + 1  # the frames and the one image
    assert {n for n in result.filenames if n.startswith("clips/")} == expected
    for video, n in GOOD.items():
        decoded = decode_all(video_root / video)
        probe = result.videos[video]
        assert probe.n_frames == n == len(decoded)
        assert list(probe.pts) == [f.pts for f in decoded]
        assert probe.timestamps_sec() == pytest.approx([f.time for f in decoded])

    # Every corrupt video is flagged with a reason, and none of its frames is a sample.
    assert set(result.corrupt_videos) == set(BAD)
    assert all(result.corrupt_videos[v] for v in BAD)
    assert not any(name.startswith("bad/") for name in result.filenames)
    info = json.loads(lightly.read(KEYS.corruptness_info))
    assert set(info["corrupt_videos"]) == set(BAD)
    assert set(BAD) <= set(lines(lightly, KEYS.filenames("corrupt")))
    assert any("corrupt videos" in m for m in recorder.messages)

    # Five samples are selected; the selected frames are extracted, byte-equal to a re-decode.
    assert len(result.selected) == 5
    frames = [n for n in result.selected if n in result.frames]
    assert frames, "a diverse selection of 53 samples picks some frames"
    for name in frames:
        frame = result.frames[name]
        again = _png(decode_all(video_root / frame.video)[frame.index].image)
        assert lightly.read(KEYS.dumped_file(name)) == again
        assert lightly.read(frame_image_key(name)) == again

    # data/videos.json: every video, with its selected frames.
    videos = {v["video"]: v for v in json.loads(lightly.read(KEYS.videos))["videos"]}
    assert set(videos) == set(GOOD) | set(BAD)
    assert videos["clips/moving.mp4"]["n_frames"] == 40
    assert videos["bad/garbage.mp4"]["corrupt"]
    picked = sorted(result.frames[n].index for n in frames if n.startswith("clips/moving"))
    assert videos["clips/moving.mp4"]["selected_frame_indices"] == picked


def test_a_sequence_run_selects_whole_sequences(video_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "input"
    (root / "clips").mkdir(parents=True)
    for video in GOOD:
        (root / video).write_bytes((video_root / video).read_bytes())
    doc = config_doc(
        selectedSequenceLength=4,
        enableCorruptnessCheck=False,
        removeExactDuplicates=False,
        dumpDataset=True,
        outputImageFormat="jpg",
        outputImageSize=48,
        selection={
            "nSamples": 12,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
    )
    (tmp_path / "lightly").mkdir()
    result, lightly, _ = run_local(root, tmp_path / "lightly", doc)

    sequences = json.loads(lightly.read(KEYS.sequence_information))
    assert len(sequences) == 3
    assert len(result.selected) == 12
    selected = []
    for seq in sequences:
        video = seq["video_name"]
        decoded = decode_all(root / video)
        first = seq["frame_indices"][0]
        assert first % 4 == 0
        assert seq["frame_indices"] == list(range(first, first + 4))
        assert seq["frame_names"] == [
            frame_name(video, i, len(decoded)) for i in range(first, first + 4)
        ]
        assert seq["frame_timestamps_pts"] == [decoded[i].pts for i in seq["frame_indices"]]
        assert seq["frame_timestamps_sec"] == pytest.approx(
            [decoded[i].time for i in seq["frame_indices"]]
        )
        selected += seq["frame_names"]
    assert sorted(selected) == sorted(result.selected)
    # dump_dataset converts the extracted frames as asked (format and longer side).
    for name in result.selected:
        dumped = Image.open(io.BytesIO(lightly.read(KEYS.dumped_file(name[: -len("png")] + "jpg"))))
        assert dumped.format == "JPEG" and max(dumped.size) == 48


def test_frames_read_their_own_or_their_videos_custom_metadata(
    video_root: Path, tmp_path: Path
) -> None:
    root, lightly_root = tmp_path / "input", tmp_path / "lightly"
    (root / "clips").mkdir(parents=True)
    for video in GOOD:
        (root / video).write_bytes((video_root / video).read_bytes())
    meta = lightly_root / ".lightly/metadata/clips"
    meta.mkdir(parents=True)
    (meta / "moving.json").write_text(
        json.dumps({"file_name": "clips/moving.mp4", "type": "video", "metadata": {"w": "sun"}})
    )
    (meta / "other-03-avi.json").write_text(
        json.dumps(
            {"file_name": "clips/other-03-avi.png", "type": "frame", "metadata": {"w": "rain"}}
        )
    )
    _, lightly, _ = run_local(root, lightly_root, config_doc(removeExactDuplicates=False))

    records = {
        r["filename"]: r.get("custom", {}).get("w")
        for r in map(json.loads, lines(lightly, KEYS.metadata))
    }
    assert records["clips/other-03-avi.png"] == "rain"
    assert records["clips/other-04-avi.png"] is None  # the AVI has no video-level record
    moving = [n for n in records if n.startswith("clips/moving")]
    assert len(moving) == 40 and all(records[n] == "sun" for n in moving)
