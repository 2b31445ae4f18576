"""SAVING_RESULTS: the Lightly-style output folder, ``dump_dataset`` copies."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import PurePosixPath
from typing import Any

from PIL import Image

from winnow_common.embeddings_csv import write_embeddings_csv
from winnow_common.storage import DatasourceStore, RunKeys

_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "bmp": "BMP", "webp": "WEBP"}


def _lines(names: list[str]) -> bytes:
    return "".join(f"{n}\n" for n in names).encode()


def write_json(store: DatasourceStore, key: str, value: Any) -> None:
    store.write(key, json.dumps(value, indent=2, sort_keys=True).encode(), "application/json")


def write_filename_lists(
    store: DatasourceStore, keys: RunKeys, lists: dict[str, list[str]]
) -> None:
    """``filenames/{corrupt,duplicate,removed,selected}_filenames.txt``."""
    for kind, names in lists.items():
        store.write(keys.filenames(kind), _lines(names), "text/plain")


def write_embeddings(store: DatasourceStore, key: str, names: list[str], rows: Any) -> None:
    store.write(key, write_embeddings_csv(names, rows), "text/csv")


def convert_image(
    data: bytes, image_format: str | None, size: int | None
) -> tuple[bytes, str | None]:
    """Re-encode for ``dump_dataset``: another format and/or the longer side scaled to ``size``.

    Returns the bytes and the new extension (None when the file is copied unchanged).
    """
    if image_format is None and size is None:
        return data, None
    fmt = (image_format or "png").lower().lstrip(".")
    if fmt not in _FORMATS:
        raise ValueError(f"output_image_format {image_format!r}: use one of {sorted(_FORMATS)}")
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        out = img.convert("RGB") if _FORMATS[fmt] == "JPEG" else img.copy()
    if size is not None and max(out.size) > size:
        out.thumbnail((size, size))
    buf = io.BytesIO()
    out.save(buf, format=_FORMATS[fmt])
    return buf.getvalue(), fmt


def dump_selected(
    input_read: Callable[[str], bytes],
    store: DatasourceStore,
    keys: RunKeys,
    selected: list[str],
    image_format: str | None,
    size: int | None,
) -> list[str]:
    """Copy the selected files into ``data/sampled/``; returns the keys written."""

    def dump(name: str) -> str:
        data, ext = convert_image(input_read(name), image_format, size)
        target = str(PurePosixPath(name).with_suffix(f".{ext}")) if ext else name
        key = keys.dumped_file(target)
        store.write(key, data)
        return key

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(dump, selected))
