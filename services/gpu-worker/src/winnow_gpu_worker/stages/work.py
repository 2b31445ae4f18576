"""The run context every stage works on, and the result the pipeline returns.

Stages read their inputs from ``RunWork`` (earlier stages' products) and put their products
back; each stage's inputs hash chains the config and the content of everything upstream, so a
checkpoint is only reused for exactly the inputs it was computed from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from winnow_common.config import WorkerSettings
from winnow_common.enums import RunState
from winnow_common.schemas.worker_config import SelectionEntry, WorkerConfigV4
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_gpu_worker.stages.datapool import Datapool
from winnow_gpu_worker.stages.hooks import PipelineHooks
from winnow_gpu_worker.stages.ledger import Checkpoint, StageLedger, content_hash

if TYPE_CHECKING:
    from winnow_gpu_worker.ml.video import VideoProbe
    from winnow_gpu_worker.stages.crops import CropRef
    from winnow_gpu_worker.stages.model import ModelChoice
    from winnow_gpu_worker.stages.videos import FrameOf, VideoCache

StateCallback = Callable[[RunState, str], None]
# The host's offer to spread EMBEDDING's missing shards (indices, of how many) over other GPU
# workers: it raises FanOutRequested to take it, or returns (embed them here).
FanOut = Callable[[list[int], int], None]


class FanOutRequested(Exception):
    """EMBEDDING stops here: the host hands ``shards`` (of ``count``) to the GPU workers."""

    def __init__(self, shards: list[int], count: int) -> None:
        super().__init__(f"{len(shards)} of {count} embedding shards fanned out")
        self.shards, self.count = shards, count


_PROGRESS_EVERY = 0.1


@dataclass
class PipelineResult:
    """What a run found and chose; filenames are relative to the INPUT datasource root.

    ``filenames``/``embeddings`` are this run's clean samples (candidates for selection);
    ``selected`` excludes samples preselected by the datapool. ``checkpoint_key`` is set when
    the run trained a model (the key of its checkpoint in the output store). ``resumed`` says
    which stages (and embedding shards) came from an earlier attempt's checkpoints.
    """

    n_input: int = 0
    corrupt: dict[str, str] = field(default_factory=dict)
    duplicates: dict[str, str] = field(default_factory=dict)
    filenames: list[str] = field(default_factory=list)
    embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    selected: list[str] = field(default_factory=list)
    model_trained: bool = False
    model_description: str = ""
    checkpoint_key: str | None = None
    n_skipped_by_datapool: int = 0
    datapool_filenames: list[str] = field(default_factory=list)
    stop_reason: str = ""
    selection_info: dict[str, Any] = field(default_factory=dict)
    dumped_keys: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    # Videos: every input video's probe, why a video is corrupt, which video a frame is of.
    videos: dict[str, VideoProbe] = field(default_factory=dict)
    corrupt_videos: dict[str, str] = field(default_factory=dict)
    frames: dict[str, FrameOf] = field(default_factory=dict)
    # Sequence runs: data/sequence_information.json's entries (None otherwise).
    sequence_information: list[dict[str, Any]] | None = None
    # Object level: the task whose crops are the samples (``filenames``/``selected`` are crop
    # names then) and every crop.
    object_task: str | None = None
    crops: dict[str, CropRef] = field(default_factory=dict)
    crop_dataset_name: str | None = None

    @property
    def removed(self) -> list[str]:
        """Clean samples the selection did not keep."""
        chosen = set(self.selected)
        return [f for f in self.filenames if f not in chosen]

    @property
    def selected_parents(self) -> list[str]:
        """Object level: the images holding a selected crop (in the order first selected)."""
        return list(dict.fromkeys(self.crops[name].parent for name in self.selected))


@dataclass
class RunWork:
    """Everything the stages share: the run's inputs, stores, callbacks and products."""

    cfg: WorkerConfigV4
    input_store: DatasourceStore
    lightly_store: DatasourceStore
    out: DatasourceStore
    keys: RunKeys
    settings: WorkerSettings
    on_state: StateCallback
    hooks: PipelineHooks
    ledger: StageLedger
    guard: Callable[[], None]
    entries: list[SelectionEntry]
    result: PipelineResult = field(default_factory=PipelineResult)
    upstream: str = ""
    # Products of the stages, in pipeline order.
    names: list[str] = field(default_factory=list)
    datapool: Datapool | None = None
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    clean: list[str] = field(default_factory=list)
    raw_embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    choice: ModelChoice | None = None
    training_info: dict[str, Any] | None = None
    custom_metadata: dict[str, dict[str, Any]] | None = None
    predictions: dict[str, Any] = field(default_factory=dict)
    # The INPUT files the run processed (images and videos; the datapool records these).
    files: list[str] = field(default_factory=list)
    video_cache: VideoCache | None = None
    # Reads a non-frame sample's bytes (None: the INPUT store; object level: the crop reader).
    sample_reader: Callable[[str], bytes] | None = None
    # Who computes (recorded with each embedding shard) and the host's fan-out offer (None:
    # every shard is embedded here).
    worker: str = ""
    fan_out: FanOut | None = None
    # Model pixels of clean image files decoded by the check stage (``stages.checks``) at
    # ``model_pixels_size``, for EMBEDDING; in memory only (another attempt decodes again).
    model_pixels: dict[str, np.ndarray] = field(default_factory=dict)
    model_pixels_size: int | None = None

    @property
    def read(self) -> Callable[[str], bytes]:
        """How to read a sample's image bytes: a file, a crop, or a frame (as PNG)."""
        read = self.sample_reader or self.input_store.read
        result = self.result
        if not result.frames:
            return read
        from winnow_gpu_worker.stages.videos import FrameReader

        cache = self.video_files()
        videos = {
            key: (cache.path(key), probe)
            for key, probe in result.videos.items()
            if probe.reason is None and key not in result.corrupt_videos
        }
        return FrameReader(read, result.frames, videos)

    def video_files(self) -> VideoCache:
        """Local copies of the INPUT videos (made on first use, deleted when the run ends)."""
        if self.video_cache is None:
            from winnow_gpu_worker.stages.videos import VideoCache

            self.video_cache = VideoCache(self.input_store)
        return self.video_cache

    def state(self, state: RunState, message: str) -> None:
        """Report progress; a safe point where an interrupted attempt stops."""
        self.guard()
        self.on_state(state, message)

    def inputs_hash(self, stage: str, *extra: Any) -> str:
        """The inputs hash of ``stage``: config, everything upstream, and ``extra``."""
        return content_hash(stage, self.upstream, *extra)

    def advance(self, stage: str, outputs_digest: str) -> None:
        """Chain a finished stage's outputs into the inputs of the stages after it."""
        self.upstream = content_hash(self.upstream, stage, outputs_digest)

    def restored(self, stage: str, checkpoint: Checkpoint, what: str = "") -> None:
        """Note (in the result and the log) that ``stage`` came from an earlier attempt."""
        suffix = f" ({what})" if what else ""
        self.result.resumed.append(
            f"{stage}: restored from the checkpoint of attempt {checkpoint.attempt}{suffix}"
        )

    def progress(self, state: RunState, verb: str, total: int) -> Progress:
        """A progress reporter for ``total`` items of ``state``."""
        return Progress(self, state, verb, total)


class Progress:
    """Reports ``done/total`` about every 10 %; every call is a safe point."""

    def __init__(self, work: RunWork, state: RunState, verb: str, total: int) -> None:
        self.work, self.state, self.verb, self.total = work, state, verb, total
        self.step = max(1, int(total * _PROGRESS_EVERY))
        self.next_report = self.step
        self.offset = 0
        self.suffix = ""

    def __call__(self, done: int, total: int | None = None, extra: str = "") -> None:
        self.work.guard()
        done += self.offset
        if done >= self.next_report or done == self.total:
            self.next_report = done + self.step
            parts = ", ".join(p for p in (extra, self.suffix) if p)
            self.work.on_state(
                self.state, f"{self.verb} {done}/{self.total}{', ' + parts if parts else ''}"
            )
