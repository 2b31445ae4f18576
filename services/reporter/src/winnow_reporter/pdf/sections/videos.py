"""Videos (runs with videos only): videos and frames counted, and the sampling timeline."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Paragraph, Spacer

from winnow_reporter.pdf.format import esc, fmt_int, pct
from winnow_reporter.pdf.story import Story
from winnow_reporter.pdf.styles import CONTENT_W
from winnow_reporter.pdf.tables import grid_table
from winnow_reporter.pdf.wording import VIDEOS_SECTION
from winnow_reporter.plots import PlotNames, timeline_rows
from winnow_reporter.report.model import DatasetSizes, Report, VideoInformation, VideoSizes

__all__ = ["videos_section"]


def _counts(s: Story, info: VideoInformation, level: DatasetSizes | None) -> None:
    n_videos = info.n_videos
    # (label, count, share)
    rows: list[tuple[str, int, str]] = [
        ("Input videos", n_videos, ""),
        ("Corrupt videos", info.n_corrupt_videos, pct(info.n_corrupt_videos, n_videos)),
        ("Usable videos", info.n_usable_videos, pct(info.n_usable_videos, n_videos)),
    ]
    if level is not None:
        rows.append(
            ("Videos with a selected frame", level.n_selected, pct(level.n_selected, n_videos))
        )
    rows += [
        ("Frames of the usable videos", info.n_frames, ""),
        ("Selected frames", info.n_selected_frames, pct(info.n_selected_frames, info.n_frames)),
    ]
    if info.n_selected_sequences is not None:
        rows.append(("Selected sequences", info.n_selected_sequences, ""))
        rows.append(("Sequence length (frames)", info.selected_sequence_length or 0, ""))
    s.add(
        grid_table(
            ["Videos and frames", "Count", "Share"],
            [[label, fmt_int(value), share] for label, value, share in rows],
            [7.0 * cm, 3.0 * cm, 3.0 * cm],
            align_right_cols=(1, 2),
        )
    )
    s.add(Spacer(1, 4))
    s.p(
        "Every frame of a usable video is a sample, named after its video and frame index; "
        "shares of videos are of the input videos, the share of selected frames is of the "
        "frames of the usable videos.",
        "small",
    )


def _status(s: Story, video: VideoSizes) -> Flowable | str:
    if video.corrupt is None:
        return "usable"
    return Paragraph(f"corrupt: {esc(video.corrupt)}", s.st["small"])


def _per_video(s: Story, videos: list[VideoSizes]) -> None:
    rows: list[list[Flowable | str]] = [
        [
            Paragraph(esc(v.video), s.st["small"]),
            fmt_int(v.n_input),
            "n/a" if v.duration_sec is None else f"{v.duration_sec:,.1f} s",
            "n/a" if v.fps is None else f"{v.fps:g}",
            fmt_int(v.n_selected),
            _status(s, v),
        ]
        for v in videos
    ]
    fixed = 2.0 * cm + 2.2 * cm + 1.6 * cm + 2.0 * cm + 3.6 * cm
    s.add(
        grid_table(
            ["Video", "Frames", "Duration", "FPS", "Selected", "Status"],
            rows,
            [CONTENT_W - fixed, 2.0 * cm, 2.2 * cm, 1.6 * cm, 2.0 * cm, 3.6 * cm],
            align_right_cols=(1, 2, 3, 4),
        )
    )
    s.add(Spacer(1, 6))


def videos_section(s: Story, report: Report, names: PlotNames) -> None:
    """The counts of videos and frames, the timeline, and the drawn videos one per row.

    Only for a report with video information; otherwise nothing is added.
    """
    dataset = report.general_information.dataset_information
    info = dataset.video_information
    if info is None:
        return
    s.h2(VIDEOS_SECTION)
    _counts(s, info, dataset.video_level_sizes)
    rows = timeline_rows(info)
    s.h3("Selected frames per video")
    left_out = ""
    if rows.n_left_out:
        left_out = (
            f" Only the {len(rows.videos)} videos with the most selected frames are shown; "
            f"{fmt_int(rows.n_left_out)} more are listed in report.json."
        )
    s.p(
        "One row per video: the blue bar spans the video's duration and every orange tick is "
        "a selected frame at its time in the video; corrupt videos are grey." + left_out
    )
    s.add(Spacer(1, 4))
    if names.video_timeline is not None:
        s.figure(
            names.video_timeline,
            "Video sampling timeline: selected frames by their time in each video.",
            width=CONTENT_W * 0.9,
        )
    _per_video(s, rows.videos)
