"""Selection strategies and stopping conditions end to end: random with a seed, similarity to
a query set, diversity's minimum distance, proportion vs count, typicality.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.gpu_worker.pipeline.helpers import (
    KEYS,
    config_doc,
    run_local,
    write_images,
)
from winnow_common.embeddings_csv import write_embeddings_csv
from winnow_common.storage import LocalStore, RunKeys
from winnow_gpu_worker.stages.hooks import PipelineHooks, QuerySet


def test_random_selection_is_reproducible_with_a_seed(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    write_images(inp, 12)
    document = config_doc(
        selection={
            "nSamples": 4,
            "strategies": [
                {"input": {"type": "RANDOM", "randomSeed": 7}, "strategy": {"type": "WEIGHTS"}}
            ],
        }
    )
    first, _, _ = run_local(inp, lightly_root, document)
    second, _, _ = run_local(inp, lightly_root, document, keys=RunKeys("again"))
    document["selection"]["strategies"][0]["input"]["randomSeed"] = 8
    other, _, _ = run_local(inp, lightly_root, document, keys=RunKeys("other"))
    assert first.selected == second.selected and len(first.selected) == 4
    assert other.selected != first.selected


def test_similarity_selects_the_query_images_first(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    inp, lightly_root = dirs
    names = write_images(inp, 10)
    query_root = tmp_path / "query"
    query_root.mkdir()
    (query_root / "q.png").write_bytes((inp / names[7]).read_bytes())
    asked: list[tuple[str, str]] = []

    def query_set(dataset_id: str, tag_name: str) -> QuerySet:
        asked.append((dataset_id, tag_name))
        return QuerySet(["q.png"], LocalStore(query_root).read, "tag 'q'")

    document = config_doc(
        selection={
            "nSamples": 1,
            "strategies": [
                {
                    "input": {"type": "EMBEDDINGS", "datasetId": "c" * 24, "tagName": "q"},
                    "strategy": {"type": "SIMILARITY"},
                }
            ],
        }
    )
    result, _, _ = run_local(inp, lightly_root, document, hooks=PipelineHooks(query_set=query_set))
    assert asked == [("c" * 24, "q")]
    assert result.selected == [names[7]]


def test_diversity_minimum_distance_and_legacy_min_distance_stop_early(
    dirs: tuple[Path, Path],
) -> None:
    inp, lightly_root = dirs
    write_images(inp, 10)
    legacy = {
        "docker": {"stoppingCondition": {"nSamples": 10, "minDistance": 100.0}},
    }
    result, store, _ = run_local(inp, lightly_root, legacy)
    # Normalised embeddings are never 100 apart: only the first pick happens.
    assert len(result.selected) == 1
    assert json.loads(store.read(KEYS.selection_info))["stop_code"] == "MIN_DISTANCE"
    v4 = config_doc(
        selection={
            "nSamples": 10,
            "strategies": [
                {
                    "input": {"type": "EMBEDDINGS"},
                    "strategy": {"type": "DIVERSITY", "stopping_condition_minimum_distance": 100},
                }
            ],
        }
    )
    result, _, _ = run_local(inp, lightly_root, v4, keys=RunKeys("v4"))
    assert len(result.selected) == 1


def test_proportion_rounds_up(dirs: tuple[Path, Path]) -> None:
    # Both nSamples and proportionSamples is refused (seed 004; tests/common/
    # test_worker_config_counts.py); a proportion alone selects ceil(p * N).
    inp, lightly_root = dirs
    write_images(inp, 10)
    document = config_doc()
    selection = {k: v for k, v in document["selection"].items() if k != "nSamples"}
    document["selection"] = {**selection, "proportionSamples": 0.25}
    result, _, _ = run_local(inp, lightly_root, document)
    assert len(result.selected) == 3  # ceil(0.25 * 10)


def test_typicality_prefers_the_dense_cluster(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = write_images(inp, 6)
    (lightly_root / ".lightly/embeddings").mkdir(parents=True)
    # Four samples in a tight cluster, two outliers far away.
    rows = np.array([[0, 0], [0.1, 0], [0, 0.1], [0.1, 0.1], [9, 9], [-9, 9]], dtype=np.float32)
    (lightly_root / ".lightly/embeddings/e.csv").write_bytes(write_embeddings_csv(names, rows))
    document = config_doc(
        embeddings="e.csv",
        normalizeEmbeddings=False,
        selection={
            "nSamples": 4,
            "strategies": [
                {
                    "input": {"type": "EMBEDDINGS"},
                    "strategy": {"type": "TYPICALITY", "numNearestNeighbors": 3},
                }
            ],
        },
    )
    result, _, _ = run_local(inp, lightly_root, document)
    assert sorted(result.selected) == names[:4]
