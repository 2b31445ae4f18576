"""The whole worker pipeline on CPU over local stores: every config feature end to end.

Images are real (crops of scikit-image's sample photos); the stores are ``LocalStore``s
over tmp dirs, so these tests need no server. The flow tests repeat a few of them on the real
servers through the API.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from winnow_common.config import WorkerSettings
from winnow_common.embeddings_csv import read_embeddings_csv, write_embeddings_csv
from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_common.schemas.worker_config import parse_worker_config
from winnow_common.storage import LocalStore, RunKeys
from winnow_gpu_worker.pipeline import PipelineResult, run_pipeline
from winnow_gpu_worker.stages.hooks import PipelineHooks, QuerySet

SETTINGS = WorkerSettings(device="cpu", batch_size=8, num_loader_workers=0, input_size=32)
KEYS = RunKeys("out")


_PHOTOS = ("astronaut", "coffee", "chelsea", "camera", "rocket", "immunohistochemistry")


def _digit_png(index: int, size: int = 32) -> bytes:
    """A distinct real photo crop per index (the name is historic: any small image will do)."""
    photo = np.asarray(getattr(skdata, _PHOTOS[index % len(_PHOTOS)])())
    offset = 40 * (index // len(_PHOTOS))
    crop = photo[offset : offset + 128, offset : offset + 128]
    img = Image.fromarray(crop).convert("RGB").resize((size, size))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _write_images(root: Path, count: int, start: int = 0, prefix: str = "") -> list[str]:
    names = []
    for i in range(start, start + count):
        name = f"{prefix}digit_{i:03d}.png"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(_digit_png(i))
        names.append(name)
    return names


def _config(**docker: Any) -> dict[str, Any]:
    selection = docker.pop("selection", None) or {
        "nSamples": 5,
        "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
    }
    lightly = docker.pop("lightly", {})
    return {"docker": docker, "lightly": lightly, "selection": selection}


class Recorder:
    def __init__(self) -> None:
        self.states: list[RunState] = []
        self.messages: list[str] = []

    def __call__(self, state: RunState, message: str) -> None:
        self.states.append(state)
        self.messages.append(message)


def _run(
    input_root: Path,
    lightly_root: Path,
    document: dict[str, Any],
    hooks: PipelineHooks | None = None,
    keys: RunKeys = KEYS,
) -> tuple[PipelineResult, LocalStore, Recorder]:
    lightly = LocalStore(lightly_root)
    recorder = Recorder()
    result = run_pipeline(
        parse_worker_config(document),
        LocalStore(input_root),
        lightly,
        keys,
        SETTINGS,
        recorder,
        hooks=hooks,
    )
    return result, lightly, recorder


def _lines(store: LocalStore, key: str) -> list[str]:
    return [line for line in store.read(key).decode().splitlines() if line]


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    inp, lightly = tmp_path / "input", tmp_path / "lightly"
    inp.mkdir()
    lightly.mkdir()
    return inp, lightly


def test_default_run_writes_the_lightly_output_folder(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = _write_images(inp, 16)
    (inp / "copy_of_0.png").write_bytes((inp / names[0]).read_bytes())
    (inp / "broken.png").write_bytes(b"not a png at all")
    (inp / "notes.txt").write_text("ignored: not an image")

    result, store, recorder = _run(inp, lightly_root, _config())

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
    assert _lines(store, KEYS.filenames("selected")) == result.selected
    assert _lines(store, KEYS.filenames("corrupt")) == ["broken.png"]
    assert _lines(store, KEYS.filenames("duplicate")) == ["digit_000.png"]
    assert len(_lines(store, KEYS.filenames("removed"))) == 16 - 5
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
    metadata = [json.loads(line) for line in _lines(store, KEYS.metadata)]
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
    names = _write_images(inp, 6)
    (inp / "copy.png").write_bytes((inp / names[0]).read_bytes())
    result, _, _ = _run(
        inp, lightly_root, _config(enableCorruptnessCheck=False, removeExactDuplicates=False)
    )
    assert result.duplicates == {} and len(result.filenames) == 7


def test_relevant_filenames_file_filters_the_input(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    _write_images(inp, 4, prefix="keep/")
    _write_images(inp, 4, start=4, prefix="skip/")
    (lightly_root / ".lightly").mkdir()
    (lightly_root / ".lightly/relevant.txt").write_text(
        "keep/* keep/digit_00* !keep/digit_001.png\n"
    )
    document = _config(relevantFilenamesFile=".lightly/relevant.txt")
    document["selection"]["nSamples"] = 10
    result, _, _ = _run(inp, lightly_root, document)
    assert sorted(result.filenames) == ["keep/digit_001.png"]
    assert result.selected == ["keep/digit_001.png"]


def test_relevant_filenames_file_must_exist(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    _write_images(inp, 3)
    with pytest.raises(PipelineError, match="relevant"):
        _run(inp, lightly_root, _config(relevantFilenamesFile=".lightly/missing.txt"))


def test_datapool_second_run_only_processes_new_files(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    first_names = _write_images(inp, 8)
    document = _config(useDatapool=True)
    document["selection"]["nSamples"] = 3
    first, store, _ = _run(inp, lightly_root, document, keys=RunKeys("run1"))
    assert first.n_input == 8 and len(first.selected) == 3
    pool_names, _, _ = read_embeddings_csv(store.read(".lightly/datapool/datapool_latest.csv"))
    assert pool_names == first.selected

    new_names = _write_images(inp, 5, start=8)
    second, store, _ = _run(inp, lightly_root, document, keys=RunKeys("run2"))
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
        _run(inp, lightly_root, document, keys=RunKeys("run3"))
    # processAll looks at every file again, but never re-selects pooled samples.
    document["docker"]["datasource"] = {"processAll": True}
    third, _, _ = _run(inp, lightly_root, document, keys=RunKeys("run4"))
    pooled = set(first.selected + second.selected)
    assert set(third.filenames) == set(first_names + new_names) - pooled


def test_datapool_preselected_samples_steer_diversity(dirs: tuple[Path, Path]) -> None:
    """With the pool counted as selected, a new file identical to a pooled one comes last."""
    inp, lightly_root = dirs
    (lightly_root / ".lightly/embeddings").mkdir(parents=True)
    (lightly_root / ".lightly/datapool").mkdir(parents=True)
    names = _write_images(inp, 3)
    rows = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 0.0]], dtype=np.float32)
    (lightly_root / ".lightly/embeddings/e.csv").write_bytes(write_embeddings_csv(names, rows))
    (lightly_root / ".lightly/datapool/datapool_latest.csv").write_bytes(
        write_embeddings_csv(["old.png"], np.array([[5.0, 0.0]], dtype=np.float32))
    )
    document = _config(useDatapool=True, embeddings="e.csv", normalizeEmbeddings=False)
    document["selection"]["nSamples"] = 3
    result, _, _ = _run(inp, lightly_root, document)
    # digit_002 sits on the pooled sample: picked last although it is farthest from the others.
    assert result.selected[-1] == "digit_002.png"


def test_user_embeddings_csv_replaces_the_model(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = _write_images(inp, 4)
    (lightly_root / ".lightly/embeddings").mkdir(parents=True)
    rows = np.array([[0, 0], [0.01, 0], [10, 0], [10, 0.01]], dtype=np.float32)
    (lightly_root / ".lightly/embeddings/mine.csv").write_bytes(write_embeddings_csv(names, rows))
    document = _config(embeddings="mine.csv", normalizeEmbeddings=False)
    document["selection"]["nSamples"] = 2
    result, store, _ = _run(inp, lightly_root, document)
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
        _run(inp, lightly_root, _config(embeddings="short.csv"))


def test_training_saves_a_checkpoint_that_a_later_run_reuses(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    _write_images(inp, 8)
    lightly_cfg = {
        "loader": {"batchSize": 4, "numWorkers": 0},
        "trainer": {"maxEpochs": 1},
        "collate": {"inputSize": 32},
    }
    trained, store, recorder = _run(
        inp, lightly_root, _config(enableTraining=True, lightly=lightly_cfg)
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
    by_key, store2, _ = _run(
        inp,
        lightly_root,
        _config(checkpoint=KEYS.checkpoint(1), lightly=reuse_lightly),
        keys=RunKeys("again"),
    )
    assert by_key.model_trained and "loaded from checkpoint" in by_key.model_description
    _, again, _ = read_embeddings_csv(store2.read(RunKeys("again").embeddings_csv))
    np.testing.assert_allclose(again, trained_embeddings, atol=2e-3)

    # A bare file name is also found in .lightly/checkpoints/ (Lightly's bucket convention).
    (lightly_root / ".lightly/checkpoints").mkdir(parents=True)
    (lightly_root / ".lightly/checkpoints/mine.ckpt").write_bytes(checkpoint)
    by_name, _, _ = _run(
        inp,
        lightly_root,
        _config(checkpoint="mine.ckpt", lightly=reuse_lightly),
        keys=RunKeys("by_name"),
    )
    assert "checkpoint .lightly/checkpoints/mine.ckpt" in by_name.model_description
    np.testing.assert_allclose(by_name.embeddings, trained_embeddings, atol=2e-3)

    asked: list[str] = []

    def checkpoint_of_run(run_id: str) -> bytes:
        asked.append(run_id)
        return checkpoint

    by_run, _, _ = _run(
        inp,
        lightly_root,
        _config(checkpointRunId="a" * 24, lightly=reuse_lightly),
        hooks=PipelineHooks(checkpoint_of_run=checkpoint_of_run),
        keys=RunKeys("by_run"),
    )
    assert asked == ["a" * 24] and by_run.model_trained
    np.testing.assert_allclose(by_run.embeddings, trained_embeddings, atol=2e-3)


def test_checkpoint_run_id_without_a_server_is_a_clear_error(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    _write_images(inp, 3)
    with pytest.raises(PipelineError, match="checkpoint_run_id needs the Winnow server"):
        _run(inp, lightly_root, _config(checkpointRunId="b" * 24))


def test_missing_checkpoint_is_a_clear_error(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    _write_images(inp, 3)
    with pytest.raises(PipelineError, match="not found in the LIGHTLY datasource"):
        _run(inp, lightly_root, _config(checkpoint=".lightly/nope.ckpt"))


def test_lightly_metadata_threshold_and_weights(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    _write_images(inp, 12)
    sizes = {p.name: p.stat().st_size for p in inp.iterdir()}
    cut = float(np.median(list(sizes.values())))
    document = _config(
        selection={
            "nSamples": 100,
            "strategies": [
                {
                    "input": {"type": "METADATA", "key": "lightly.sizeInBytes"},
                    "strategy": {"type": "THRESHOLD", "threshold": cut, "operation": "BIGGER"},
                },
                {
                    "input": {"type": "METADATA", "key": "lightly.sizeInBytes"},
                    "strategy": {"type": "WEIGHTS"},
                },
            ],
        }
    )
    result, _, _ = _run(inp, lightly_root, document)
    expected = sorted((n for n in sizes if sizes[n] > cut), key=lambda n: (-sizes[n], n))
    assert result.selected == expected


def test_custom_metadata_balance_hits_the_target(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = _write_images(inp, 12)
    meta = lightly_root / ".lightly/metadata"
    meta.mkdir(parents=True)
    weather = {n: ("sunny" if i < 9 else "rainy") for i, n in enumerate(names)}
    for name, value in weather.items():
        record = {"file_name": name, "type": "image", "metadata": {"weather": value}}
        (meta / name.replace(".png", ".json")).write_text(json.dumps(record))
    document = _config(
        selection={
            "nSamples": 6,
            "strategies": [
                {
                    "input": {"type": "METADATA", "key": "weather"},
                    "strategy": {
                        "type": "BALANCE",
                        "distribution": "TARGET",
                        "target": {"sunny": 0.5, "rainy": 0.5},
                    },
                }
            ],
        }
    )
    result, _, recorder = _run(inp, lightly_root, document)
    assert RunState.LOADING_METADATA in recorder.states
    picked = [weather[n] for n in result.selected]
    assert picked.count("rainy") == 3 and picked.count("sunny") == 3
    # The reporter gets the custom metadata from the run folder.
    store = LocalStore(lightly_root)
    records = [json.loads(line) for line in _lines(store, KEYS.metadata)]
    assert {r["filename"]: r["custom"]["weather"] for r in records} == weather


def _predictions(lightly_root: Path, names: list[str], probs: list[list[float]]) -> None:
    task = lightly_root / ".lightly/predictions/clf"
    task.mkdir(parents=True)
    (lightly_root / ".lightly/predictions/tasks.json").write_text('["clf"]')
    schema = {
        "task_type": "classification",
        "categories": [{"id": 0, "name": "cat"}, {"id": 1, "name": "dog"}],
    }
    (task / "schema.json").write_text(json.dumps(schema))
    for name, p in zip(names, probs, strict=True):
        pred = {"category_id": int(np.argmax(p)), "score": max(p), "probabilities": p}
        (task / name.replace(".png", ".json")).write_text(
            json.dumps({"file_name": name, "predictions": [pred]})
        )


def test_scores_weights_pick_the_most_uncertain_first(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = _write_images(inp, 5)
    probs = [[0.99, 0.01], [0.5, 0.5], [0.8, 0.2], [0.6, 0.4], [0.95, 0.05]]
    _predictions(lightly_root, names, probs)
    document = _config(
        selection={
            "nSamples": 3,
            "strategies": [
                {
                    "input": {"type": "SCORES", "task": "clf", "score": "uncertainty_entropy"},
                    "strategy": {"type": "WEIGHTS"},
                }
            ],
        }
    )
    result, store, recorder = _run(inp, lightly_root, document)
    assert RunState.LOADING_PREDICTION in recorder.states
    assert result.selected == [names[1], names[3], names[2]]
    digest = json.loads(store.read(KEYS.predictions))
    assert digest["clf"]["taskType"] == "classification"
    assert digest["clf"]["categoryIdToName"] == {"0": "cat", "1": "dog"}
    assert digest["clf"]["samples"][names[0]]["categories"] == ["cat"]
    assert digest["clf"]["samples"][names[1]]["scores"]["uncertainty_entropy"] == 1.0


def test_predictions_class_distribution_balance_and_category_count(
    dirs: tuple[Path, Path],
) -> None:
    inp, lightly_root = dirs
    names = _write_images(inp, 8)
    probs = [[0.9, 0.1]] * 6 + [[0.2, 0.8]] * 2
    _predictions(lightly_root, names, probs)
    balance = _config(
        selection={
            "nSamples": 4,
            "strategies": [
                {
                    "input": {"type": "PREDICTIONS", "task": "clf", "name": "CLASS_DISTRIBUTION"},
                    "strategy": {"type": "BALANCE", "distribution": "UNIFORM"},
                }
            ],
        }
    )
    result, _, _ = _run(inp, lightly_root, balance)
    assert set(names[6:]) <= set(result.selected)
    count = _config(
        selection={
            "nSamples": 10,
            "strategies": [
                {
                    "input": {
                        "type": "PREDICTIONS",
                        "task": "clf",
                        "name": "CATEGORY_COUNT",
                        "categories": ["dog"],
                    },
                    "strategy": {"type": "THRESHOLD", "threshold": 1, "operation": "BIGGER_EQUAL"},
                }
            ],
        }
    )
    result, _, _ = _run(inp, lightly_root, count, keys=RunKeys("count"))
    assert sorted(result.selected) == names[6:]


def test_unknown_prediction_task_is_a_clear_error(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = _write_images(inp, 2)
    _predictions(lightly_root, names, [[0.5, 0.5]] * 2)
    document = _config(
        selection={
            "nSamples": 1,
            "strategies": [
                {
                    "input": {"type": "SCORES", "task": "nope", "score": "uncertainty_entropy"},
                    "strategy": {"type": "WEIGHTS"},
                }
            ],
        }
    )
    with pytest.raises(PipelineError, match="nope"):
        _run(inp, lightly_root, document)


def test_random_selection_is_reproducible_with_a_seed(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    _write_images(inp, 12)
    document = _config(
        selection={
            "nSamples": 4,
            "strategies": [
                {"input": {"type": "RANDOM", "randomSeed": 7}, "strategy": {"type": "WEIGHTS"}}
            ],
        }
    )
    first, _, _ = _run(inp, lightly_root, document)
    second, _, _ = _run(inp, lightly_root, document, keys=RunKeys("again"))
    document["selection"]["strategies"][0]["input"]["randomSeed"] = 8
    other, _, _ = _run(inp, lightly_root, document, keys=RunKeys("other"))
    assert first.selected == second.selected and len(first.selected) == 4
    assert other.selected != first.selected


def test_similarity_selects_the_query_images_first(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    inp, lightly_root = dirs
    names = _write_images(inp, 10)
    query_root = tmp_path / "query"
    query_root.mkdir()
    (query_root / "q.png").write_bytes((inp / names[7]).read_bytes())
    asked: list[tuple[str, str]] = []

    def query_set(dataset_id: str, tag_name: str) -> QuerySet:
        asked.append((dataset_id, tag_name))
        return QuerySet(["q.png"], LocalStore(query_root).read, "tag 'q'")

    document = _config(
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
    result, _, _ = _run(inp, lightly_root, document, hooks=PipelineHooks(query_set=query_set))
    assert asked == [("c" * 24, "q")]
    assert result.selected == [names[7]]


def test_diversity_minimum_distance_and_legacy_min_distance_stop_early(
    dirs: tuple[Path, Path],
) -> None:
    inp, lightly_root = dirs
    _write_images(inp, 10)
    legacy = {
        "docker": {"stoppingCondition": {"nSamples": 10, "minDistance": 100.0}},
    }
    result, store, _ = _run(inp, lightly_root, legacy)
    # Normalised embeddings are never 100 apart: only the first pick happens.
    assert len(result.selected) == 1
    assert json.loads(store.read(KEYS.selection_info))["stop_code"] == "MIN_DISTANCE"
    v4 = _config(
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
    result, _, _ = _run(inp, lightly_root, v4, keys=RunKeys("v4"))
    assert len(result.selected) == 1


def test_proportion_and_count_take_the_smaller(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    _write_images(inp, 10)
    document = _config()
    document["selection"] = {**document["selection"], "nSamples": 8, "proportionSamples": 0.25}
    result, _, _ = _run(inp, lightly_root, document)
    assert len(result.selected) == 3  # ceil(0.25 * 10) < 8


def test_dump_dataset_copies_and_converts_the_selected_files(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    _write_images(inp, 6)
    document = _config(dumpDataset=True, outputImageFormat="jpg", outputImageSize=16)
    document["selection"]["nSamples"] = 3
    result, store, _ = _run(inp, lightly_root, document)
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
    _write_images(root, 6)
    document = _config(dumpDataset=True)
    document["selection"]["nSamples"] = 3
    _run(root, root, document, keys=RunKeys.for_run("d" * 24))
    second, _, _ = _run(root, root, document, keys=RunKeys.for_run("e" * 24))
    assert second.n_input == 6


def test_typicality_prefers_the_dense_cluster(dirs: tuple[Path, Path]) -> None:
    inp, lightly_root = dirs
    names = _write_images(inp, 6)
    (lightly_root / ".lightly/embeddings").mkdir(parents=True)
    # Four samples in a tight cluster, two outliers far away.
    rows = np.array([[0, 0], [0.1, 0], [0, 0.1], [0.1, 0.1], [9, 9], [-9, 9]], dtype=np.float32)
    (lightly_root / ".lightly/embeddings/e.csv").write_bytes(write_embeddings_csv(names, rows))
    document = _config(
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
    result, _, _ = _run(inp, lightly_root, document)
    assert sorted(result.selected) == names[:4]
