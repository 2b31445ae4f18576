"""Video frames as model inputs, decoded in DataLoader workers (see :func:`embed.embed_dataset`).

Each worker takes one contiguous slice of the frames in (video, frame) order, so it decodes every
video it touches front to back with at most one seek (to the keyframe before its first frame),
never jumping between neighbouring frames.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from torch.utils.data import IterableDataset, get_worker_info

from winnow_gpu_worker.ml.embed import rgb_to_array
from winnow_gpu_worker.ml.video import VideoProbe, iter_video_frames


@dataclass(frozen=True)
class FrameRef:
    """One frame to embed: row ``position`` of the caller's names is frame ``frame_index``."""

    position: int
    path: str
    probe: VideoProbe
    frame_index: int


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def worker_slice(n: int, worker: int, n_workers: int) -> range:
    """The contiguous part of ``range(n)`` that worker ``worker`` of ``n_workers`` handles."""
    per, extra = divmod(n, n_workers)
    start = worker * per + min(worker, extra)
    return range(start, start + per + (1 if worker < extra else 0))


class VideoFramesDataset(IterableDataset[tuple[torch.Tensor, int, str]]):
    """Yields ``(tensor CxHxW float32, position, error)`` for every :class:`FrameRef`.

    Tensors are normalised exactly like an image file's (:func:`embed.rgb_to_array`), so a frame
    embeds the same as its extracted PNG. A frame that fails to decode yields a zero tensor and
    the reason; it never aborts the batch. With DataLoader workers each takes a contiguous slice
    of the (video path, frame index) order.
    """

    def __init__(self, frames: Sequence[FrameRef], input_size: int = 64) -> None:
        if input_size <= 0:
            raise ValueError(f"input_size must be positive, got {input_size}")
        self.frames = sorted(frames, key=lambda f: (f.path, f.frame_index, f.position))
        self.input_size = input_size

    def __len__(self) -> int:
        return len(self.frames)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, int, str]]:
        info = get_worker_info()
        if info is None:
            mine = self.frames
        else:
            part = worker_slice(len(self.frames), info.id, info.num_workers)
            mine = self.frames[part.start : part.stop]
        for _path, group in itertools.groupby(mine, key=lambda f: f.path):
            yield from self._video_items(list(group))

    def _video_items(self, refs: list[FrameRef]) -> Iterator[tuple[torch.Tensor, int, str]]:
        """Items for ``refs`` (all of one video, sorted by frame index), decoded in one pass."""
        positions: dict[int, list[int]] = {}
        n_frames = refs[0].probe.n_frames
        for ref in refs:
            if 0 <= ref.frame_index < n_frames:
                positions.setdefault(ref.frame_index, []).append(ref.position)
            else:  # only this frame is wrong; the video's other frames still decode
                reason = f"frame {ref.frame_index} is not in the video ({n_frames} frames)"
                yield self._zeros(), ref.position, reason
        done: set[int] = set()
        try:
            frames = iter_video_frames(refs[0].path, refs[0].probe, list(positions))
            for index, image, error in frames:
                done.add(index)
                if image is None:
                    for position in positions[index]:
                        yield self._zeros(), position, error
                    continue
                tensor = torch.from_numpy(rgb_to_array(image, self.input_size))
                for position in positions[index]:
                    yield tensor, position, ""
        except Exception as exc:  # e.g. an index the probe lacks: report, do not abort
            reason = f"could not decode video frame ({_describe(exc)})"
            for index in positions:
                if index not in done:
                    for position in positions[index]:
                        yield self._zeros(), position, reason

    def _zeros(self) -> torch.Tensor:
        return torch.zeros(3, self.input_size, self.input_size, dtype=torch.float32)
