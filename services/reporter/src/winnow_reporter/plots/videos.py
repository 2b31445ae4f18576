"""The video sampling timeline: one row per video, a tick at every selected frame.

Lightly's report draws one such timeline per video and warns that it is slow for more than
20 videos; here one figure holds at most :data:`MAX_TIMELINE_VIDEOS` rows (the videos with
the most selected frames) and says how many were left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.lines import Line2D

from winnow_reporter.plots.style import (
    COLOR_INPUT,
    COLOR_SELECTED,
    LOCK,
    WIDE,
    clean_axes,
    figure,
    png,
)
from winnow_reporter.report.model import VideoInformation, VideoSizes

__all__ = [
    "MAX_TIMELINE_VIDEOS",
    "TimelineRows",
    "timeline_height_in",
    "timeline_rows",
    "video_timeline_plot",
]

MAX_TIMELINE_VIDEOS = 20
_CORRUPT_GREY = "0.6"
_LABEL_CHARS = 34


@dataclass(frozen=True)
class TimelineRows:
    """The videos the timeline draws (top to bottom, by name) and how many it leaves out."""

    videos: list[VideoSizes]
    n_left_out: int


def timeline_rows(info: VideoInformation, max_rows: int = MAX_TIMELINE_VIDEOS) -> TimelineRows:
    """Every video, or the ``max_rows`` with the most selected frames (ties by name)."""
    videos = sorted(info.videos, key=lambda v: v.video)
    if len(videos) <= max_rows:
        return TimelineRows(videos, 0)
    keep = {v.video for v in sorted(videos, key=lambda v: (-v.n_selected, v.video))[:max_rows]}
    return TimelineRows([v for v in videos if v.video in keep], len(videos) - max_rows)


def timeline_height_in(n_rows: int) -> float:
    """The figure height (inches) of a timeline of ``n_rows`` videos."""
    return 1.3 + 0.34 * max(n_rows, 1)


def _label(video: str) -> str:
    return video if len(video) <= _LABEL_CHARS else "..." + video[-(_LABEL_CHARS - 3) :]


def _x_max(videos: list[VideoSizes]) -> float:
    ends = [v.duration_sec or 0.0 for v in videos if v.corrupt is None]
    ends += [t for v in videos for t in v.selected_frame_timestamps_sec]
    top = max(ends, default=0.0)
    return top if top > 0 else 1.0


def _row(ax: Any, y: float, video: VideoSizes, x_max: float) -> None:
    """The video's extent as a thin bar, its selected frames as ticks, its count at the end."""
    if video.corrupt is not None:
        ax.hlines(y, 0, x_max, colors=_CORRUPT_GREY, linewidth=5, alpha=0.35)
        reason = video.corrupt if len(video.corrupt) <= 60 else video.corrupt[:57] + "..."
        ax.text(x_max * 0.01, y, f"corrupt: {reason}", va="center", fontsize=7, color="0.35")
        return
    end = video.duration_sec or 0.0
    ax.hlines(y, 0, end, colors=COLOR_INPUT, linewidth=5, alpha=0.35)
    if video.selected_frame_timestamps_sec:
        ax.vlines(
            video.selected_frame_timestamps_sec,
            y - 0.32,
            y + 0.32,
            colors=COLOR_SELECTED,
            linewidth=1.0,
        )
    ax.annotate(
        f"{video.n_selected:,} of {video.n_input:,}",
        (1.0, y),
        xycoords=("axes fraction", "data"),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        fontsize=7,
        color="0.25",
    )


def video_timeline_plot(info: VideoInformation) -> tuple[bytes, TimelineRows]:
    """The timeline PNG and the rows it draws (one per video, at most 20).

    x is the time in the video in seconds, from 0 to the longest drawn video's duration; each
    usable video is a thin blue bar over its duration with an orange tick at every selected
    frame and "selected of frames" at the right; a corrupt video is a grey bar saying why.
    """
    rows = timeline_rows(info)
    videos = rows.videos
    with LOCK:
        fig = figure((WIDE[0], timeline_height_in(len(videos))))
        ax = fig.add_subplot()
        title = "Selected frames per video"
        if rows.n_left_out:
            title += (
                f"\nthe {len(videos)} videos with the most selected frames; "
                f"{rows.n_left_out:,} more not shown"
            )
        ax.set_title(title, fontsize=10)
        x_max = _x_max(videos)
        ys = list(range(len(videos) - 1, -1, -1))  # first video on top
        for y, video in zip(ys, videos, strict=True):
            _row(ax, y, video, x_max)
        ax.set_yticks(ys, [_label(v.video) for v in videos], fontsize=7)
        for tick, video in zip(ax.get_yticklabels(), videos, strict=True):
            if video.corrupt is not None:
                tick.set_color(_CORRUPT_GREY)
        ax.set_ylim(-0.7, len(videos) - 0.3)
        ax.set_xlim(-x_max * 0.015, x_max * 1.015)  # a tick at 0 s stays off the spine
        ax.set_xlabel("time in the video (s)")
        ax.grid(axis="x", alpha=0.3)
        fig.legend(
            handles=[
                Line2D([], [], color=COLOR_INPUT, alpha=0.35, linewidth=5, label="video"),
                Line2D([], [], color=COLOR_SELECTED, linewidth=1.0, label="selected frame"),
                Line2D([], [], color=_CORRUPT_GREY, alpha=0.35, linewidth=5, label="corrupt"),
            ],
            loc="outside lower center",
            ncols=3,
            fontsize=7,
            frameon=False,
        )
        clean_axes(ax)
        return png(fig), rows
