"""A run without a checkpoint embeds with the pretrained default model, and says so."""

from __future__ import annotations

import json
from pathlib import Path

from tests.gpu_worker.pipeline.helpers import KEYS, SETTINGS, Recorder, config_doc, write_images
from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.schemas.worker_config import parse_worker_config
from winnow_common.storage import LocalStore
from winnow_gpu_worker.ml.pretrained import PRETRAINED_DESCRIPTION, PRETRAINED_DIM
from winnow_gpu_worker.pipeline import run_pipeline


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
