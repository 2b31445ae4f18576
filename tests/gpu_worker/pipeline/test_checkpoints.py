"""Training and checkpoints: a trained run's checkpoint reused by key, by file name and by run
id, and the clear errors when one cannot be found.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.gpu_worker.pipeline.helpers import (
    KEYS,
    config_doc,
    run_local,
    write_images,
)
from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_common.storage import RunKeys
from winnow_gpu_worker.stages.hooks import PipelineHooks


def test_training_saves_a_checkpoint_that_a_later_run_reuses(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    write_images(inp, 8)
    lightly_cfg = {
        "loader": {"batchSize": 4, "numWorkers": 0},
        "trainer": {"maxEpochs": 1},
        "collate": {"inputSize": 32},
    }
    trained, store, recorder = run_local(
        inp, lightly_root, config_doc(enableTraining=True, lightly=lightly_cfg)
    )
    assert RunState.TRAINING in recorder.states
    assert trained.model_trained and "trained with SimCLR for 1 epochs" in trained.model_description
    assert trained.checkpoint_key == KEYS.checkpoint(1)
    checkpoint = store.read(trained.checkpoint_key)
    info = json.loads(store.read(KEYS.selection_info))
    assert info["training"]["epochs"] == 1 and info["training"]["checkpoint"] == KEYS.checkpoint(1)

    # The same weights via `checkpoint` (a key in the LIGHTLY datasource) and via
    # `checkpointRunId` (through the host's hook) give the trained run's embeddings.
    _, trained_embeddings, _ = read_embeddings_csv(store.read(KEYS.embeddings_csv))
    reuse_lightly = {"collate": {"inputSize": 32}}
    by_key, store2, _ = run_local(
        inp,
        lightly_root,
        config_doc(checkpoint=KEYS.checkpoint(1), lightly=reuse_lightly),
        keys=RunKeys("again"),
    )
    assert by_key.model_trained and "loaded from checkpoint" in by_key.model_description
    _, again, _ = read_embeddings_csv(store2.read(RunKeys("again").embeddings_csv))
    np.testing.assert_allclose(again, trained_embeddings, atol=2e-3)

    # A bare file name is also found in .lightly/checkpoints/ (Lightly's bucket convention).
    (lightly_root / ".lightly/checkpoints").mkdir(parents=True)
    (lightly_root / ".lightly/checkpoints/mine.ckpt").write_bytes(checkpoint)
    by_name, _, _ = run_local(
        inp,
        lightly_root,
        config_doc(checkpoint="mine.ckpt", lightly=reuse_lightly),
        keys=RunKeys("by_name"),
    )
    assert "checkpoint .lightly/checkpoints/mine.ckpt" in by_name.model_description
    np.testing.assert_allclose(by_name.embeddings, trained_embeddings, atol=2e-3)

    asked: list[str] = []

    def checkpoint_of_run(run_id: str) -> bytes:
        asked.append(run_id)
        return checkpoint

    by_run, _, _ = run_local(
        inp,
        lightly_root,
        config_doc(checkpointRunId="a" * 24, lightly=reuse_lightly),
        hooks=PipelineHooks(checkpoint_of_run=checkpoint_of_run),
        keys=RunKeys("by_run"),
    )
    assert asked == ["a" * 24] and by_run.model_trained
    np.testing.assert_allclose(by_run.embeddings, trained_embeddings, atol=2e-3)


def test_checkpoint_run_id_without_a_server_is_a_clear_error(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    write_images(inp, 3)
    with pytest.raises(PipelineError, match="checkpoint_run_id needs the Winnow server"):
        run_local(inp, lightly_root, config_doc(checkpointRunId="b" * 24))


def test_missing_checkpoint_is_a_clear_error(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    write_images(inp, 3)
    with pytest.raises(PipelineError, match="not found in the LIGHTLY datasource"):
        run_local(inp, lightly_root, config_doc(checkpoint=".lightly/nope.ckpt"))
