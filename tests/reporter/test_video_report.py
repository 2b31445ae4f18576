"""The report of a run with videos: counts of videos and frames, the timeline, the PDF section."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
from PIL import Image
from pypdf import PdfReader

from winnow_common.config import ReporterSettings
from winnow_common.embeddings_csv import write_embeddings_csv
from winnow_common.storage import LocalStore, RunKeys
from winnow_reporter.pdf import SECTIONS, VIDEOS_SECTION
from winnow_reporter.plots import (
    MAX_TIMELINE_VIDEOS,
    PLOT_VIDEO_TIMELINE,
    timeline_height_in,
    timeline_rows,
    video_timeline_plot,
)
from winnow_reporter.plots.style import DPI
from winnow_reporter.report import build_report, load_run_outputs
from winnow_reporter.report.model import VideoInformation, VideoSizes
from winnow_reporter.report.videos import frame_video, video_lookup
from winnow_reporter.service import render_report

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2]
        / "services/reporter/src/winnow_reporter/report_v2.schema.json"
    ).read_text()
)
KEYS = RunKeys("run")
RUN_INFO: dict[str, Any] = {
    "run_id": "v" * 24,
    "dataset_id": "d" * 24,
    "dataset_name": "street videos",
    "started_at_ms": 1_700_000_000_000,
    "ended_at_ms": 1_700_000_010_000,
    "model_trained": False,
    "model_description": "lightly resnet-18 with random weights (UNTRAINED)",
    "config_summary": {"n_samples": 7},
}
#: (video, frames, fps, selected frame indices, corrupt reason)
VIDEOS: list[tuple[str, int, float, list[int], str | None]] = [
    ("cams/a.mp4", 12, 4.0, [0, 5, 11], None),
    ("cams/b.avi", 20, 10.0, [3, 4, 15, 19], None),
    ("zz/broken.mov", 0, 0.0, [], "no video stream"),
]
CORRUPT_FRAME = "cams/b-07-avi.png"
DUPLICATE_FRAME = "cams/b-08-avi.png"


def frame_name(video: str, index: int, n_frames: int) -> str:
    """Lightly's frame name: ``{video without ext}-{index zero-padded}-{ext}.png``."""
    stem, ext = video.rsplit(".", 1)
    return f"{stem}-{index:0{len(str(n_frames))}d}-{ext}.png"


def _write(store: LocalStore, key: str, value: Any) -> None:
    store.write(key, value if isinstance(value, bytes) else json.dumps(value).encode())


def make_video_run(root: Path, *, videos: bool = True, sequences: bool = False) -> LocalStore:
    """A run folder of frames of two videos (one frame corrupt, one a duplicate), a third
    video that is corrupt, and one plain image; ``videos=False`` leaves out ``videos.json``."""
    store = LocalStore(root)
    frames = [frame_name(v, i, n) for v, n, _, _, _ in VIDEOS for i in range(n)]
    embedded = [f for f in frames if f not in (CORRUPT_FRAME, DUPLICATE_FRAME)] + ["still.png"]
    selected = [frame_name(v, i, n) for v, n, _, sel, _ in VIDEOS for i in sel]
    x = np.random.default_rng(5).standard_normal((len(embedded), 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    _write(store, KEYS.embeddings_csv, write_embeddings_csv(embedded, x))
    _write(store, KEYS.filenames("selected"), "".join(f"{s}\n" for s in selected).encode())
    _write(
        store,
        KEYS.corruptness_info,
        {
            "corrupt_samples": {CORRUPT_FRAME: "OSError"},
            "corrupt_videos": {"zz/broken.mov": "no video stream"},
        },
    )
    _write(store, KEYS.exact_duplicates, {DUPLICATE_FRAME: "cams/b-09-avi.png"})
    _write(store, KEYS.config, {"docker": {"nExampleImages": 2, "selectedSequenceLength": 2}})
    _write(store, KEYS.selection_info, {"n_input": len(embedded) + 2, "strategies": []})
    _write(store, KEYS.predictions, {})
    if videos:
        _write(
            store,
            KEYS.videos,
            {
                "videos": [
                    {
                        "video": v,
                        "n_frames": n,
                        "fps": fps or None,
                        "duration_sec": n / fps if fps else None,
                        "corrupt": reason,
                        "selected_frame_indices": sel,
                        "selected_frame_timestamps_sec": [i / fps for i in sel],
                    }
                    for v, n, fps, sel, reason in VIDEOS
                ]
            },
        )
    if sequences:
        a = "cams/a.mp4"
        _write(
            store,
            KEYS.sequence_information,
            [
                {
                    "video_name": a,
                    "frame_names": [frame_name(a, i, 12) for i in (4, 5)],
                    "frame_timestamps_pts": [4, 5],
                    "frame_timestamps_sec": [1.0, 1.25],
                    "frame_indices": [4, 5],
                },
                {
                    "video_name": a,
                    "frame_names": [frame_name(a, i, 12) for i in (10, 11)],
                    "frame_timestamps_pts": [10, 11],
                    "frame_timestamps_sec": [2.5, 2.75],
                    "frame_indices": [10, 11],
                },
            ],
        )
    return store


def _pdf_text(pdf: bytes) -> tuple[list[str], list[str]]:
    """The text of every page and the PDF outline's top-level titles."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    top = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    return pages, top


def test_frame_names_map_to_their_videos() -> None:
    lookup = video_lookup(["cams/a.mp4", "cams/b-1.avi", "top.MOV"])
    assert frame_video("cams/a-05-mp4.png", lookup) == "cams/a.mp4"
    assert frame_video("cams/b-1-017-avi.png", lookup) == "cams/b-1.avi"
    assert frame_video("top-0-MOV.png", lookup) == "top.MOV"
    assert frame_video("cams/a-05-avi.png", lookup) is None  # no such video
    assert frame_video("still.png", lookup) is None
    assert frame_video("cams/a-xx-mp4.png", lookup) is None
    # a key without a dot: an empty name and the whole key as the format (as the worker does)
    assert frame_video("-3-noext.png", video_lookup(["noext"])) == "noext"


def test_run_with_videos_counts_videos_and_frames(tmp_path: Path) -> None:
    store = make_video_run(tmp_path)
    render_report(store, KEYS, RUN_INFO)
    report = json.loads(store.read(KEYS.report_v2_json))
    jsonschema.validate(report, SCHEMA)
    dataset = report["generalInformation"]["datasetInformation"]
    info = dataset["videoInformation"]
    assert {k: v for k, v in info.items() if k != "videos"} == {
        "nVideos": 3,
        "nCorruptVideos": 1,
        "nUsableVideos": 2,
        "nFrames": 32,
        "nSelectedFrames": 7,
        "nSelectedSequences": None,
        "selectedSequenceLength": None,
    }
    assert dataset["videoLevelSizes"] == {
        "nInput": 3,
        "nCorrupt": 1,
        "nDuplicate": 0,
        "nRemoved": 0,
        "nSelected": 2,
        "nPreselectedDatapool": 0,
        "nSelectedWithDatapool": 2,
    }
    a, b, broken = info["videos"]
    assert (a["video"], a["nInput"], a["nSelected"], a["nRemoved"]) == ("cams/a.mp4", 12, 3, 9)
    assert a["selectedFrameTimestampsSec"] == [0.0, 1.25, 2.75]
    assert (a["fps"], a["durationSec"], a["corrupt"]) == (4.0, 3.0, None)
    # b: 20 frames, one corrupt and one duplicate, so 18 embedded of which 4 selected
    assert (b["nInput"], b["nCorrupt"], b["nDuplicate"], b["nSelected"], b["nRemoved"]) == (
        20,
        1,
        1,
        4,
        14,
    )
    assert (broken["video"], broken["corrupt"], broken["nInput"]) == (
        "zz/broken.mov",
        "no video stream",
        0,
    )
    simple = json.loads(store.read(KEYS.report_json))["videos"]
    assert (simple["nVideos"], simple["nFrames"], simple["nSelectedFrames"]) == (3, 32, 7)
    assert simple["videoLevelSizes"]["nSelected"] == 2
    assert [v["nSelected"] for v in simple["videos"]] == [3, 4, 0]
    assert "selectedFrameTimestampsSec" not in simple["videos"][0]


def test_timeline_plot_and_pdf_section(tmp_path: Path) -> None:
    store = make_video_run(tmp_path)
    render_report(store, KEYS, RUN_INFO)
    png = store.read(KEYS.plot(PLOT_VIDEO_TIMELINE))
    with Image.open(io.BytesIO(png)) as img:
        assert img.size[1] == round(DPI * timeline_height_in(3))  # three rows
    pages, outline = _pdf_text(store.read(KEYS.report_pdf))
    statistics = outline.index("Dataset statistics")
    assert outline[statistics + 1] == VIDEOS_SECTION
    assert [t for t in outline if t != VIDEOS_SECTION] == list(SECTIONS)
    body = " ".join(pages[1:])
    section = body[body.index("Input videos") :]
    for text in (
        "Selected frames per video",
        "Corrupt videos 1",
        "Usable videos 2",
        "Frames of the usable videos 32",
        "Selected frames 7 21.9%",
        "cams/a.mp4",
        "corrupt: no video stream",
        "Video sampling timeline",
    ):
        assert text in section, text


def test_sequence_run_counts_sequences(tmp_path: Path) -> None:
    store = make_video_run(tmp_path, sequences=True)
    outputs = load_run_outputs(store, KEYS)
    report = build_report(outputs, RUN_INFO, ReporterSettings())
    info = report.general_information.dataset_information.video_information
    assert info is not None
    assert (info.n_selected_sequences, info.selected_sequence_length) == (2, 2)


def test_run_without_videos_has_no_video_section(tmp_path: Path) -> None:
    store = make_video_run(tmp_path, videos=False)
    render_report(store, KEYS, RUN_INFO)
    report = json.loads(store.read(KEYS.report_v2_json))
    dataset = report["generalInformation"]["datasetInformation"]
    assert "videoInformation" not in dataset and "videoLevelSizes" not in dataset
    assert "videos" not in json.loads(store.read(KEYS.report_json))
    assert KEYS.plot(PLOT_VIDEO_TIMELINE) not in set(store.list_files("run"))
    pages, outline = _pdf_text(store.read(KEYS.report_pdf))
    assert outline == list(SECTIONS)
    assert "Selected frames per video" not in " ".join(pages)


def _video(i: int, n_selected: int) -> VideoSizes:
    return VideoSizes(
        video=f"v{i:02d}.mp4",
        n_input=100,
        n_selected=n_selected,
        fps=10.0,
        duration_sec=10.0,
        selected_frame_timestamps_sec=[0.1 * k for k in range(n_selected)],
    )


def test_timeline_draws_the_20_videos_with_most_selected_frames() -> None:
    # video i has (i * 7) % 25 selected frames: 25 distinct counts 0..24
    videos = [_video(i, (i * 7) % 25) for i in range(25)]
    info = VideoInformation(n_videos=25, n_usable_videos=25, videos=videos)
    rows = timeline_rows(info)
    assert len(rows.videos) == MAX_TIMELINE_VIDEOS and rows.n_left_out == 5
    assert sorted(v.n_selected for v in rows.videos) == list(range(5, 25))
    assert [v.video for v in rows.videos] == sorted(v.video for v in rows.videos)
    png, drawn = video_timeline_plot(info)
    assert drawn == rows
    with Image.open(io.BytesIO(png)) as img:
        assert img.size[1] == round(DPI * timeline_height_in(MAX_TIMELINE_VIDEOS))
