"""The pipeline's outputs: the Lightly output folder of a default run, the checks turned off,
the dumped dataset, and outputs in the input bucket never read as input.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from tests.gpu_worker.pipeline.helpers import (
    KEYS,
    config_doc,
    lines,
    run_local,
    write_images,
)
from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.enums import RunState
from winnow_common.storage import RunKeys


def test_default_run_writes_the_lightly_output_folder(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = write_images(inp, 16)
    (inp / "copy_of_0.png").write_bytes((inp / names[0]).read_bytes())
    (inp / "broken.png").write_bytes(b"not a png at all")
    (inp / "notes.txt").write_text("ignored: not an image")

    result, store, recorder = run_local(inp, lightly_root, config_doc())

    assert result.n_input == 18
    assert set(result.corrupt) == {"broken.png"}
    assert result.duplicates == {"digit_000.png": "copy_of_0.png"}  # first in sorted order kept
    assert len(result.selected) == 5 and len(set(result.selected)) == 5
    assert not set(result.selected) & {"broken.png", "digit_000.png"}
    for key in (
        KEYS.config,
        KEYS.embeddings_csv,
        KEYS.selected_embeddings_csv,
        KEYS.metadata,
        KEYS.selection_info,
        KEYS.corruptness_info,
        KEYS.exact_duplicates,
    ):
        assert store.read(key), key
    assert lines(store, KEYS.filenames("selected")) == result.selected
    assert lines(store, KEYS.filenames("corrupt")) == ["broken.png"]
    assert lines(store, KEYS.filenames("duplicate")) == ["digit_000.png"]
    assert len(lines(store, KEYS.filenames("removed"))) == 16 - 5
    corrupt = json.loads(store.read(KEYS.corruptness_info))
    assert list(corrupt) == ["corrupt_samples"] and "broken.png" in corrupt["corrupt_samples"]
    info = json.loads(store.read(KEYS.selection_info))
    assert (info["n_input"], info["n_corrupt"], info["n_duplicate"], info["n_selected"]) == (
        18,
        1,
        1,
        5,
    )
    assert info["stop_code"] == "N_SAMPLES" and info["model"]["trained"] is False
    assert "UNTRAINED" in result.model_description
    metadata = [json.loads(line) for line in lines(store, KEYS.metadata)]
    assert len(metadata) == 16
    assert all(m["lightly"]["sizeInBytes"] > 0 and "custom" not in m for m in metadata)
    assert json.loads(store.read(KEYS.predictions)) == {}
    filenames, embeddings, _ = read_embeddings_csv(store.read(KEYS.embeddings_csv))
    assert len(filenames) == 16 and embeddings.shape == (16, 32)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-4)
    # States only move forward through the documented order.
    order = [s for i, s in enumerate(recorder.states) if i == 0 or s != recorder.states[i - 1]]
    assert order == [
        RunState.LOADING_DATASET,
        RunState.CHECKING_CORRUPTNESS,
        RunState.EMBEDDING,
        RunState.SAMPLING,
        RunState.SAVING_RESULTS,
    ]


def test_checks_can_be_turned_off(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = write_images(inp, 6)
    (inp / "copy.png").write_bytes((inp / names[0]).read_bytes())
    result, _, _ = run_local(
        inp, lightly_root, config_doc(enableCorruptnessCheck=False, removeExactDuplicates=False)
    )
    assert result.duplicates == {} and len(result.filenames) == 7


def test_dump_dataset_copies_and_converts_the_selected_files(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    write_images(inp, 6)
    document = config_doc(dumpDataset=True, outputImageFormat="jpg", outputImageSize=16)
    document["selection"]["nSamples"] = 3
    result, store, _ = run_local(inp, lightly_root, document)
    dumped = store.list_files("out/data/sampled")
    assert sorted(dumped) == sorted(
        f"out/data/sampled/{n.replace('.png', '.jpg')}" for n in result.selected
    )
    with Image.open(io.BytesIO(store.read(dumped[0]))) as img:
        assert img.format == "JPEG" and max(img.size) <= 16


def test_outputs_in_the_input_bucket_are_never_input(tmp_path: Path) -> None:
    """One bucket for INPUT and LIGHTLY: a later run must not pick up earlier outputs."""
    root = tmp_path / "bucket"
    root.mkdir()
    write_images(root, 6)
    document = config_doc(dumpDataset=True)
    document["selection"]["nSamples"] = 3
    run_local(root, root, document, keys=RunKeys.for_run("d" * 24))
    second, _, _ = run_local(root, root, document, keys=RunKeys.for_run("e" * 24))
    assert second.n_input == 6
