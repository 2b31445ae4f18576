"""SAVING_RESULTS for samples without a file of their own: selected video frames and crops.

A selected frame is decoded again (each video once, front to back, only up to its last
selected frame) and written as PNG to the LIGHTLY datasource at ``.lightly/frames/<frame
name>``, where the API serves a ``VIDEO_FRAME`` sample's image; a selected crop goes to
``.lightly/crops/<crop name>``. With ``dump_dataset`` the same image is also written to
``data/sampled/`` (converted as ``output_image_format``/``output_image_size`` ask). Keys are
deterministic and the PNG encoding is too, so a retried attempt writes the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import PurePosixPath

from winnow_common.errors import PipelineError
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_common.storage.keys import crop_image_key, frame_image_key
from winnow_gpu_worker.ml.images import encode_png
from winnow_gpu_worker.ml.video import VideoProbe, iter_video_frames
from winnow_gpu_worker.stages.outputs import convert_image
from winnow_gpu_worker.stages.videos import FrameOf, by_video

_WRITERS = 8


@dataclass(frozen=True)
class Dump:
    """Where and how ``dump_dataset`` writes copies (None: no dump)."""

    keys: RunKeys
    image_format: str | None
    size: int | None


def _write(store: DatasourceStore, key: str, data: bytes, dump: Dump | None, name: str) -> str:
    """Write the sample image; with a dump also its converted copy. Returns the dump key."""
    store.write(key, data, "image/png")
    return "" if dump is None else _write_dump_only(store, data, dump, name)


def save_frames(
    selected: Sequence[str],
    frames: dict[str, FrameOf],
    probes: dict[str, VideoProbe],
    local_path: Callable[[str], str],
    store: DatasourceStore,
    dump: Dump | None,
) -> list[str]:
    """Extract the selected frames; returns the dumped keys (empty without a dump)."""
    dumped: list[str] = []
    with ThreadPoolExecutor(_WRITERS) as pool:
        for video, names in by_video(selected, frames).items():
            probe = probes[video]
            by_index = {frames[n].index: n for n in names}
            writes = []
            for index, image, error in iter_video_frames(
                local_path(video), probe, sorted(by_index)
            ):
                if image is None:
                    raise PipelineError(f"{by_index[index]}: the frame cannot be decoded ({error})")
                name = by_index[index]
                data = encode_png(image)
                writes.append(pool.submit(_write, store, frame_image_key(name), data, dump, name))
            dumped += [w.result() for w in writes]
    return [k for k in dumped if k]


def save_crops(
    selected: Sequence[str],
    read_crop: Callable[[str], bytes],
    store: DatasourceStore,
    dump: Dump | None,
    upload: bool,
) -> list[str]:
    """Write the selected crops (``upload``) and their dumps; returns the dumped keys."""

    def save(name: str) -> str:
        data = read_crop(name)
        if upload:
            store.write(crop_image_key(name), data, "image/png")
        if dump is None:
            return ""
        return _write_dump_only(store, data, dump, name)

    with ThreadPoolExecutor(_WRITERS) as pool:
        return [k for k in pool.map(save, selected) if k]


def _write_dump_only(store: DatasourceStore, data: bytes, dump: Dump, name: str) -> str:
    try:
        converted, ext = convert_image(data, dump.image_format, dump.size)
    except ValueError as exc:
        raise PipelineError(f"dump_dataset: {exc}") from exc
    target = str(PurePosixPath(name).with_suffix(f".{ext}")) if ext else name
    key = dump.keys.dumped_file(target)
    store.write(key, converted)
    return key
