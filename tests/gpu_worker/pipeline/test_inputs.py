"""What the pipeline reads besides the images: a relevant-filenames file, the datapool of earlier
runs and user-provided embeddings.
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
from winnow_common.embeddings_csv import read_embeddings_csv, write_embeddings_csv
from winnow_common.errors import PipelineError
from winnow_common.storage import RunKeys


def test_relevant_filenames_file_filters_the_input(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    write_images(inp, 4, prefix="keep/")
    write_images(inp, 4, start=4, prefix="skip/")
    (lightly_root / ".lightly").mkdir()
    (lightly_root / ".lightly/relevant.txt").write_text(
        "keep/* keep/digit_00* !keep/digit_001.png\n"
    )
    document = config_doc(relevantFilenamesFile=".lightly/relevant.txt")
    document["selection"]["nSamples"] = 10
    result, _, _ = run_local(inp, lightly_root, document)
    assert sorted(result.filenames) == ["keep/digit_001.png"]
    assert result.selected == ["keep/digit_001.png"]


def test_relevant_filenames_file_must_exist(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    write_images(inp, 3)
    with pytest.raises(PipelineError, match="relevant"):
        run_local(inp, lightly_root, config_doc(relevantFilenamesFile=".lightly/missing.txt"))


def test_datapool_second_run_only_processes_new_files(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    first_names = write_images(inp, 8)
    document = config_doc(useDatapool=True)
    document["selection"]["nSamples"] = 3
    first, store, _ = run_local(inp, lightly_root, document, keys=RunKeys("run1"))
    assert first.n_input == 8 and len(first.selected) == 3
    pool_names, _, _ = read_embeddings_csv(store.read(".lightly/datapool/datapool_latest.csv"))
    assert pool_names == first.selected

    new_names = write_images(inp, 5, start=8)
    second, store, _ = run_local(inp, lightly_root, document, keys=RunKeys("run2"))
    assert second.n_input == 5 and sorted(second.filenames) == new_names
    assert second.datapool_filenames == first.selected
    assert set(second.selected) <= set(new_names) and len(second.selected) == 3
    info = json.loads(store.read(RunKeys("run2").selection_info))
    assert info["n_preselected_datapool"] == 3 and info["n_selected_with_datapool"] == 6
    assert info["n_skipped_by_datapool"] == 8
    with_pool, _, _ = read_embeddings_csv(
        store.read(RunKeys("run2").selected_embeddings_with_datapool_csv)
    )
    assert with_pool == first.selected + second.selected
    pool_names, _, _ = read_embeddings_csv(store.read(".lightly/datapool/datapool_latest.csv"))
    assert sorted(pool_names) == sorted(first.selected + second.selected)

    # Nothing new: a clear error instead of an empty selection.
    with pytest.raises(PipelineError, match="processAll"):
        run_local(inp, lightly_root, document, keys=RunKeys("run3"))
    # processAll looks at every file again, but never re-selects pooled samples.
    document["docker"]["datasource"] = {"processAll": True}
    third, _, _ = run_local(inp, lightly_root, document, keys=RunKeys("run4"))
    pooled = set(first.selected + second.selected)
    assert set(third.filenames) == set(first_names + new_names) - pooled


def test_datapool_preselected_samples_steer_diversity(dirs: tuple[Path, Path]) -> None:
    """With the pool counted as selected, a new file identical to a pooled one comes last."""
    inp, lightly_root = dirs
    (lightly_root / ".lightly/embeddings").mkdir(parents=True)
    (lightly_root / ".lightly/datapool").mkdir(parents=True)
    names = write_images(inp, 3)
    rows = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 0.0]], dtype=np.float32)
    (lightly_root / ".lightly/embeddings/e.csv").write_bytes(write_embeddings_csv(names, rows))
    (lightly_root / ".lightly/datapool/datapool_latest.csv").write_bytes(
        write_embeddings_csv(["old.png"], np.array([[5.0, 0.0]], dtype=np.float32))
    )
    document = config_doc(useDatapool=True, embeddings="e.csv", normalizeEmbeddings=False)
    document["selection"]["nSamples"] = 3
    result, _, _ = run_local(inp, lightly_root, document)
    # digit_002 sits on the pooled sample: picked last although it is farthest from the others.
    assert result.selected[-1] == "digit_002.png"


def test_user_embeddings_csv_replaces_the_model(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = write_images(inp, 4)
    (lightly_root / ".lightly/embeddings").mkdir(parents=True)
    rows = np.array([[0, 0], [0.01, 0], [10, 0], [10, 0.01]], dtype=np.float32)
    (lightly_root / ".lightly/embeddings/mine.csv").write_bytes(write_embeddings_csv(names, rows))
    document = config_doc(embeddings="mine.csv", normalizeEmbeddings=False)
    document["selection"]["nSamples"] = 2
    result, store, _ = run_local(inp, lightly_root, document)
    assert "user-provided embeddings" in result.model_description
    # The two picks come from different clusters.
    assert {n[-5] for n in result.selected} in ({"0", "2"}, {"0", "3"}, {"1", "2"}, {"1", "3"})
    filenames, embeddings, _ = read_embeddings_csv(store.read(KEYS.embeddings_csv))
    assert filenames == names
    np.testing.assert_allclose(embeddings, rows, atol=1e-6)

    (lightly_root / ".lightly/embeddings/short.csv").write_bytes(
        write_embeddings_csv(names[:2], rows[:2])
    )
    with pytest.raises(PipelineError, match="no row for 2 files"):
        run_local(inp, lightly_root, config_doc(embeddings="short.csv"))
