"""Object-level runs: the crops of a detection task's boxes and a reader of their PNG bytes.

:func:`list_crops` turns the object-detection predictions of one task (LIGHTLY datasource,
``.lightly/predictions/<task>/``) into one :class:`CropRef` per box; :class:`CropReader` cuts a
crop out of its parent on demand, so crops are embedded and selected like images without ever
being stored first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from PIL import Image

from winnow_common.errors import PipelineError
from winnow_common.storage import DatasourceStore
from winnow_gpu_worker.ml.crops import (
    DEFAULT_PADDING,
    crop_image,
    crop_name,
    decode_full_rgb,
)
from winnow_gpu_worker.ml.images import encode_png
from winnow_gpu_worker.ml.predictions import OBJECT_DETECTION, load_predictions


@dataclass(frozen=True)
class CropRef:
    """One predicted object of a parent image: the crop sample it becomes."""

    #: ``crop_name(parent, task, index)``: the crop's sample name.
    name: str
    #: The parent file name, relative to the INPUT datasource root.
    parent: str
    task: str
    #: Position of the box in the parent's prediction list for ``task``.
    index: int
    category_id: int
    #: The prediction's score (0..1 by Lightly's format); 1.0 for a prediction without one.
    score: float
    #: ``(x, y, w, h)`` in pixels of the upright parent image.
    bbox: tuple[float, float, float, float]


def list_crops(lightly_store: DatasourceStore, parents: Sequence[str], task: str) -> list[CropRef]:
    """Every box of ``task``'s predictions for ``parents``, sorted by crop name.

    Predictions are read from ``lightly_store`` (the LIGHTLY datasource) for the given parent
    files; a parent without a prediction file (or with an empty list) has no crops. Raises
    :class:`PipelineError` naming the task when it is not listed in
    ``.lightly/predictions/tasks.json``, has no or an invalid ``schema.json``, has an invalid
    prediction file, or is not an object-detection task (only boxes can be cropped).
    """
    try:
        preds = load_predictions(lightly_store.list_files, lightly_store.read, task, parents)
    except ValueError as exc:
        raise PipelineError(f"object-level task {task!r}: {exc}") from exc
    if preds.task_type != OBJECT_DETECTION:
        raise PipelineError(
            f"object-level task {task!r} is a {preds.task_type} task; crops need an "
            f"{OBJECT_DETECTION} task (predictions with a 'bbox')"
        )
    crops: list[CropRef] = []
    for parent in dict.fromkeys(parents):  # a parent listed twice still has its boxes once
        for index, prediction in enumerate(preds.for_file(parent)):
            # parse_prediction requires a bbox for object-detection tasks.
            assert prediction.bbox is not None
            crops.append(
                CropRef(
                    name=crop_name(parent, task, index),
                    parent=parent,
                    task=task,
                    index=index,
                    category_id=prediction.category_id,
                    score=1.0 if prediction.score is None else prediction.score,
                    bbox=prediction.bbox,
                )
            )
    crops.sort(key=lambda c: c.name)
    _check_unique(crops, task)
    return crops


def _check_unique(crops: Sequence[CropRef], task: str) -> None:
    # Names are samples and storage keys: two boxes under one name would overwrite each other.
    # Only odd parent names collide (box 0 of "a.x-1-y" and box 1 of "a-0-x.y" are both
    # "a-0-x-1-y.png"); the list is sorted, so a clash is between neighbours.
    for before, after in pairwise(crops):
        if before.name == after.name:
            raise PipelineError(
                f"object-level task {task!r}: crops of {before.parent!r} (box {before.index}) "
                f"and {after.parent!r} (box {after.index}) share the name {before.name!r}"
            )


class CropReader:
    """Picklable (used in DataLoader worker processes): ``read(crop_name)`` -> PNG bytes.

    Keeps the last decoded parent image so consecutive crops of one parent (the order of
    :func:`list_crops`) decode it once. ``read_parent`` reads a parent's bytes by its INPUT file
    name and must itself be picklable (a store's bound ``read`` is). The cached image is not
    pickled: each process decodes its own.
    """

    def __init__(
        self,
        read_parent: Callable[[str], bytes],
        crops: Sequence[CropRef],
        padding: float = DEFAULT_PADDING,
    ) -> None:
        self._read_parent = read_parent
        self._crops = {crop.name: crop for crop in crops}
        self._padding = padding
        # One tuple, replaced whole, so a thread never sees one parent's name with another's
        # pixels.
        self._last: tuple[str, Image.Image] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_last"] = None
        return state

    def crop(self, name: str) -> CropRef:
        """The :class:`CropRef` named ``name``; ``KeyError`` naming it if there is none."""
        try:
            return self._crops[name]
        except KeyError:
            raise KeyError(f"no crop named {name!r}") from None

    def image(self, name: str) -> Image.Image:
        """The RGB crop ``name`` (its parent decoded at full resolution, boxed and padded)."""
        ref = self.crop(name)
        last = self._last
        if last is not None and last[0] == ref.parent:
            parent = last[1]
        else:
            parent = decode_full_rgb(self._read_parent(ref.parent))
            self._last = (ref.parent, parent)
        return crop_image(parent, ref.bbox, self._padding)

    def read(self, name: str) -> bytes:
        """The PNG bytes of crop ``name``; equal for equal pixels (see ``encode_png``)."""
        return encode_png(self.image(name))
