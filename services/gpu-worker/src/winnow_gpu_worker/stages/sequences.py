"""Sequence selection (``selectedSequenceLength`` > 1): select runs of consecutive frames.

As in Lightly: every video (or, for images, every folder in sorted order) is cut into
consecutive sequences of L frames from its first frame; a sequence's embedding is the mean of
its frames' embeddings; the selection picks sequences, and the selected frames are the frames of
the picked sequences. ``n_samples`` counts frames (a multiple of L); a proportion is rounded up
to the next multiple of L. ``data/sequence_information.json`` lists the picked sequences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from winnow_gpu_worker.ml.normalize import l2_normalize
from winnow_gpu_worker.ml.video import VideoProbe
from winnow_gpu_worker.stages.videos import FrameOf


@dataclass(frozen=True)
class FrameSequence:
    """``length`` consecutive frames of one video (or one folder's sorted images)."""

    source: str  # the video, or the folder of the images
    names: tuple[str, ...]
    rows: tuple[int, ...]  # rows of these frames in the run's filenames/embeddings


def _groups(filenames: Sequence[str], frames: dict[str, FrameOf]) -> dict[str, list[int]]:
    """Rows grouped by video (frame order) or by folder (name order)."""
    groups: dict[str, list[int]] = {}
    for row, name in enumerate(filenames):
        frame = frames.get(name)
        source = frame.video if frame is not None else str(PurePosixPath(name).parent)
        groups.setdefault(source, []).append(row)

    def order(row: int) -> tuple[int, str]:
        frame = frames.get(filenames[row])
        return (frame.index if frame is not None else 0, filenames[row])

    return {source: sorted(rows, key=order) for source, rows in sorted(groups.items())}


def split_sequences(
    filenames: Sequence[str], frames: dict[str, FrameOf], length: int
) -> list[FrameSequence]:
    """Consecutive, non-overlapping sequences of ``length`` samples of each video or folder.

    A video's sequences are aligned to its frame indices (frames ``[kL, (k+1)L)``) and a
    sequence with a missing frame (corrupt, a duplicate, already in the datapool) is left out,
    so a selected sequence is always ``length`` truly consecutive frames. Images of one folder
    are taken in name order; an incomplete last sequence is left out.
    """
    if length < 1:
        raise ValueError(f"sequence length must be at least 1, got {length}")
    out: list[FrameSequence] = []
    for source, rows in _groups(filenames, frames).items():
        if filenames[rows[0]] in frames:
            by_chunk: dict[int, list[int]] = {}
            for row in rows:
                by_chunk.setdefault(frames[filenames[row]].index // length, []).append(row)
            chunks = [c for c in by_chunk.values() if len(c) == length]
        else:
            chunks = [rows[i : i + length] for i in range(0, len(rows) - length + 1, length)]
        for chunk in chunks:
            out.append(FrameSequence(source, tuple(filenames[r] for r in chunk), tuple(chunk)))
    return out


def sequence_embeddings(
    embeddings: np.ndarray, sequences: Sequence[FrameSequence], normalize: bool
) -> np.ndarray:
    """The mean of each sequence's frame embeddings (re-normalised when the run normalises)."""
    if not sequences:
        return np.zeros((0, embeddings.shape[1]), np.float32)
    means = np.stack([embeddings[list(s.rows)].mean(axis=0) for s in sequences])
    means = means.astype(np.float32)
    return l2_normalize(means) if normalize else means


def sequence_count(n_frames: int, length: int) -> int:
    """How many sequences ``n_frames`` selected frames are (rounded up to whole sequences)."""
    return math.ceil(n_frames / length) if n_frames > 0 else 0


def sequence_information(
    picked: Sequence[FrameSequence],
    frames: dict[str, FrameOf],
    probes: dict[str, VideoProbe],
) -> list[dict[str, Any]]:
    """``sequence_information.json``: one entry per picked sequence, in pick order.

    Videos: ``video_name``, ``frame_names``, ``frame_timestamps_pts``, ``frame_timestamps_sec``
    and ``frame_indices``; image folders: ``filenames``.
    """
    entries: list[dict[str, Any]] = []
    for seq in picked:
        if seq.names[0] not in frames:
            entries.append({"filenames": list(seq.names)})
            continue
        probe = probes[seq.source]
        indices = [frames[n].index for n in seq.names]
        entries.append(
            {
                "video_name": seq.source,
                "frame_names": list(seq.names),
                "frame_timestamps_pts": [int(probe.pts[i]) for i in indices],
                "frame_timestamps_sec": [probe.timestamp_sec(i) for i in indices],
                "frame_indices": indices,
            }
        )
    return entries
