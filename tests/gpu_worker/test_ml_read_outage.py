"""A storage outage while a dataset reads a file is not a bad file: embedding and training both
let ``StorageUnavailable`` through (the attempt waits it out or stops), while a file that
cannot be read for another reason is recorded as failed and skipped."""

from __future__ import annotations

import pytest

from winnow_common.errors import ObjectNotFound, StorageUnavailable
from winnow_gpu_worker.ml.embed import ImageBytesDataset
from winnow_gpu_worker.ml.train import SimCLRViewsDataset


def _outage(name: str) -> bytes:
    raise StorageUnavailable(f"S3 did not answer for {name}")


def _missing(name: str) -> bytes:
    raise ObjectNotFound(f"{name} does not exist")


def _datasets(read: object) -> list[object]:
    return [
        ImageBytesDataset(["a.png"], read, input_size=32),  # type: ignore[arg-type]
        SimCLRViewsDataset(["a.png"], read, transform=lambda image: (image, image), draft_size=32),  # type: ignore[arg-type]
    ]


@pytest.mark.parametrize("index", [0, 1], ids=["embedding", "training"])
def test_an_outage_propagates(index: int) -> None:
    dataset = _datasets(_outage)[index]
    with pytest.raises(StorageUnavailable, match=r"a\.png"):
        dataset[0]  # type: ignore[index]


@pytest.mark.parametrize("index", [0, 1], ids=["embedding", "training"])
def test_a_missing_file_is_recorded_as_failed(index: int) -> None:
    item = _datasets(_missing)[index][0]  # type: ignore[index]
    assert item[-2] == 0 and "does not exist" in item[-1]
