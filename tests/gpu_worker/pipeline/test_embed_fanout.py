"""EMBEDDING spread over several workers, on the CPU: the attempt offers its missing shards,
shard tasks (``run_embedding_shard``) embed them from the checkpoints, and the next attempt
restores them all, with outputs byte-identical to a one-worker run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.gpu_worker.pipeline.helpers import KEYS, SETTINGS, Recorder, config_doc, write_images
from winnow_common.schemas.worker_config import parse_worker_config
from winnow_common.storage import LocalStore
from winnow_gpu_worker.pipeline import (
    CheckpointMissing,
    FanOutRequested,
    PipelineResult,
    run_embedding_shard,
    run_pipeline,
)
from winnow_gpu_worker.stages.ledger import StageLedger

# 4 images a batch and a shard: 14 images are 4 shards (the last one of 2 images).
FANOUT_SETTINGS = SETTINGS.model_copy(update={"batch_size": 4, "embed_shard_size": 4})
N_IMAGES = 14


def _run(inp: Path, lightly: LocalStore, attempt: int, **options: Any) -> PipelineResult:
    return run_pipeline(
        parse_worker_config(config_doc()),
        LocalStore(inp),
        lightly,
        KEYS,
        FANOUT_SETTINGS,
        Recorder(),
        ledger=StageLedger(lightly, KEYS, attempt),
        **options,
    )


def _shard(inp: Path, lightly: LocalStore, index: int, worker: str) -> dict[str, Any]:
    return run_embedding_shard(
        parse_worker_config(config_doc()),
        LocalStore(inp),
        lightly,
        KEYS,
        FANOUT_SETTINGS,
        Recorder(),
        shard=index,
        ledger=StageLedger(lightly, KEYS, 1),
        worker=worker,
    )


def test_fanned_out_shards_give_the_one_worker_result(
    dirs: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    inp, lightly_root = dirs
    write_images(inp, N_IMAGES)
    lightly = LocalStore(lightly_root)
    offers: list[tuple[list[int], int]] = []

    def fan_out(shards: list[int], count: int) -> None:
        offers.append((shards, count))
        raise FanOutRequested(shards, count)

    # Attempt 1 embeds shard 0 (it fixes the arithmetic), then hands shards 1-3 out.
    with pytest.raises(FanOutRequested):
        _run(inp, lightly, 1, worker="attempt-1", fan_out=fan_out)
    assert offers == [([1, 2, 3], 4)]
    ledger = lightly_root / KEYS.work("ledger")
    assert sorted(p.name for p in ledger.iterdir() if p.name.startswith("embedding-shard")) == [
        "embedding-shard-00000.json"
    ]

    # Shard tasks on two workers; a duplicate task finds its shard committed.
    caplog.set_level("INFO", logger="winnow_gpu_worker")
    outcomes = [
        _shard(inp, lightly, 1, "gpu-a"),
        _shard(inp, lightly, 2, "gpu-b"),
        _shard(inp, lightly, 3, "gpu-a"),
        _shard(inp, lightly, 2, "gpu-a"),
        _shard(inp, lightly, 7, "gpu-b"),
    ]
    assert [o["outcome"] for o in outcomes] == [
        "embedded",
        "embedded",
        "embedded",
        "already committed",
        "skipped: the run has no such shard",
    ]
    assert "embedding shard 2/4 (4 images) on worker gpu-a" in caplog.text
    assert "embedding shard 3/4 (4 images) on worker gpu-b" in caplog.text

    # Attempt 2 (the chord's callback) restores every shard, offers nothing and selects.
    caplog.clear()
    resumed = _run(inp, lightly, 2, worker="attempt-2", fan_out=fan_out)
    assert len(offers) == 1
    assert "embedding shard 3/4 (4 images): restored from the checkpoint of attempt 1 " in (
        caplog.text
    )
    assert "(embedded on gpu-b)" in caplog.text

    # The same run on one worker without a ledger: the same bytes.
    alone_root = lightly_root.parent / "alone"
    alone_root.mkdir()
    alone = LocalStore(alone_root)
    single = run_pipeline(
        parse_worker_config(config_doc()),
        LocalStore(inp),
        alone,
        KEYS,
        FANOUT_SETTINGS,
        Recorder(),
    )
    assert resumed.selected == single.selected
    assert resumed.embeddings.tobytes() == single.embeddings.tobytes()
    for key in (KEYS.embeddings_csv, KEYS.selection_info, KEYS.filenames("selected")):
        assert lightly.read(key) == alone.read(key), key


def test_a_shard_task_computes_no_stage_itself(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    write_images(inp, N_IMAGES)
    with pytest.raises(CheckpointMissing, match="stage listing has no checkpoint"):
        _shard(inp, LocalStore(lightly_root), 1, "gpu-a")
    assert not (lightly_root / KEYS.work("ledger")).exists()


def test_few_missing_shards_are_embedded_here(dirs: tuple[Path, Path]) -> None:
    """One shard left after shard 0 is not worth a fan-out: no offer is made."""
    inp, lightly_root = dirs
    write_images(inp, 6)  # 2 shards

    def fan_out(shards: list[int], count: int) -> None:
        raise AssertionError(f"offered {shards} of {count}")

    result = _run(inp, LocalStore(lightly_root), 1, fan_out=fan_out)
    assert len(result.filenames) == 6
