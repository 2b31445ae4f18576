"""A run without a checkpoint embeds with the pretrained default model, and says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.gpu_worker.pipeline.helpers import KEYS, SETTINGS, Recorder, config_doc, write_images
from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.schemas.worker_config import parse_worker_config
from winnow_common.storage import LocalStore
from winnow_gpu_worker.ml import embed
from winnow_gpu_worker.ml.pretrained import PRETRAINED_DESCRIPTION, PRETRAINED_DIM
from winnow_gpu_worker.pipeline import run_pipeline
from winnow_gpu_worker.steps import checking


def _run(tmp_path: Path, **docker: object) -> tuple[object, LocalStore]:
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    write_images(tmp_path / "in", 8)
    out = LocalStore(tmp_path / "out")
    settings = SETTINGS.model_copy(update={"default_model": "pretrained"})
    result = run_pipeline(
        parse_worker_config(config_doc(**docker)),
        LocalStore(tmp_path / "in"),
        out,
        KEYS,
        settings,
        Recorder(),
    )
    return result, out


def test_a_run_without_checkpoint_uses_the_pretrained_model(tmp_path: Path) -> None:
    result, out = _run(tmp_path)
    assert result.model_description == PRETRAINED_DESCRIPTION  # type: ignore[attr-defined]
    names, rows, _ = read_embeddings_csv(out.read(KEYS.embeddings_csv))
    assert len(names) == 8 and rows.shape == (8, PRETRAINED_DIM)
    info = json.loads(out.read(KEYS.selection_info))
    assert info["model"] == {"trained": True, "description": PRETRAINED_DESCRIPTION}


def test_a_lightly_model_config_keeps_lightlys_resnet(tmp_path: Path) -> None:
    result, out = _run(tmp_path, lightly={"model": {"numFtrs": 16}})
    assert "UNTRAINED" in result.model_description  # type: ignore[attr-defined]
    _, rows, _ = read_embeddings_csv(out.read(KEYS.embeddings_csv))
    assert rows.shape == (8, 16)


def _embeddings_and_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int
) -> tuple[list[str], np.ndarray, int, int]:
    """A default-model run with ``budget`` bytes for the check's model pixels: the embeddings,
    how many model pixels the check kept and how many files EMBEDDING decoded itself."""
    tmp_path.mkdir()
    monkeypatch.setattr(checking, "MODEL_PIXELS_BUDGET", budget)
    kept: list[int] = []
    decoded: list[str] = []
    real_check, real_decode = checking.check_files, embed._decode_rgb

    def check_files(*args: Any, **kwargs: Any) -> Any:
        found = real_check(*args, **kwargs)
        kept.append(len(found.pixels))
        return found

    def decode(data: bytes, size: int) -> np.ndarray:
        decoded.append("file")
        return real_decode(data, size)

    monkeypatch.setattr(checking, "check_files", check_files)
    monkeypatch.setattr(embed, "_decode_rgb", decode)
    _, out = _run(tmp_path, enableCorruptnessCheck=True)
    names, rows, _ = read_embeddings_csv(out.read(KEYS.embeddings_csv))
    return names, rows, kept[0], len(decoded)


def test_embedding_uses_the_checks_decode_with_the_same_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check keeps each clean file's model pixels and EMBEDDING embeds them without
    reading or decoding the files again; the embeddings are those of decoding them there."""
    names, rows, kept, decoded = _embeddings_and_reads(tmp_path / "a", monkeypatch, 1 << 30)
    assert kept == 8 and decoded == 0
    again, plain, none_kept, decoded = _embeddings_and_reads(tmp_path / "b", monkeypatch, 0)
    assert none_kept == 0 and decoded == 8
    assert names == again and np.array_equal(rows, plain)
