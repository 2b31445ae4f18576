"""Object-level runs through the pipeline: crops of a detection task's boxes are the samples."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from tests.gpu_worker.pipeline.helpers import KEYS, config_doc, lines, run_local
from winnow_common.storage import LocalStore
from winnow_common.storage.keys import crop_image_key
from winnow_gpu_worker.ml.crops import crop_image, crop_name
from winnow_gpu_worker.worker_stage import to_stage_result

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")
BOXES = [[10, 10, 40, 30], [80, 40, 50, 60], [20, 70, 30, 30]]


def _write_inputs(input_root: Path, lightly_root: Path) -> None:
    """Four photos; box predictions of task ``boxes`` on the first three."""
    (input_root / "img").mkdir(parents=True)
    for photo in PHOTOS:
        image = Image.fromarray(getattr(skdata, photo)()).convert("RGB").resize((160, 120))
        image.save(input_root / f"img/{photo}.png")
    task = lightly_root / ".lightly/predictions/boxes/img"
    task.mkdir(parents=True)
    (lightly_root / ".lightly/predictions/tasks.json").write_text('["boxes"]')
    schema = {
        "task_type": "object-detection",
        "categories": [{"id": 0, "name": "a"}, {"id": 3, "name": "b"}],
    }
    (task.parent / "schema.json").write_text(json.dumps(schema))
    for photo in PHOTOS[:3]:
        predictions = [
            {"category_id": 3 * (i % 2), "bbox": box, "score": 0.5 + 0.1 * i}
            for i, box in enumerate(BOXES)
        ]
        (task / f"{photo}.json").write_text(
            json.dumps({"file_name": f"img/{photo}.png", "predictions": predictions})
        )


@pytest.mark.parametrize(
    "docker",
    [
        {"objectLevel": {"taskName": "boxes", "padding": 0.2}},
        {},  # V4: the EMBEDDINGS input names the task
    ],
)
def test_object_level_selects_crops_and_their_parents(tmp_path: Path, docker: dict) -> None:
    input_root, lightly_root = tmp_path / "input", tmp_path / "lightly"
    _write_inputs(input_root, lightly_root)
    selection = {
        "nSamples": 4,
        "strategies": [
            {"input": {"type": "EMBEDDINGS", "task": "boxes"}, "strategy": {"type": "DIVERSITY"}}
        ],
    }
    doc = config_doc(**docker, dumpDataset=True, selection=selection)
    result, lightly, recorder = run_local(input_root, lightly_root, doc)

    names = {crop_name(f"img/{p}.png", "boxes", i) for p in PHOTOS[:3] for i in range(3)}
    assert result.object_task == "boxes"
    assert set(result.filenames) == names == set(result.crops)
    assert lines(lightly, KEYS.embeddings_csv)[1].split(",")[0] in names
    assert len(result.selected) == 4 and set(result.selected) <= names
    assert "img/rocket.png" not in result.selected_parents
    assert set(result.selected_parents) == {result.crops[n].parent for n in result.selected}
    assert any("objects of task 'boxes'" in m for m in recorder.messages)

    # The selected crops are written as PNGs (padding as configured) and dumped.
    padding = docker.get("objectLevel", {}).get("padding", 0.1)
    for name in result.selected:
        ref = result.crops[name]
        parent = Image.open(input_root / ref.parent).convert("RGB")
        expected = np.asarray(crop_image(parent, ref.bbox, padding))
        stored = Image.open(io.BytesIO(lightly.read(crop_image_key(name))))
        assert np.array_equal(np.asarray(stored), expected)
        assert lightly.read(KEYS.dumped_file(name)) == lightly.read(crop_image_key(name))

    # What the database gets: the parents selected, the crops with their predictions.
    recorded = to_stage_result(result, KEYS)
    assert recorded.selected == result.selected_parents
    assert recorded.selected_crops == result.selected
    for name in result.selected:
        crop = recorded.crops[name]
        assert crop.task_name == "boxes" and crop.parent == result.crops[name].parent
        assert crop.category_id == 3 * (crop.prediction_index % 2)
        assert crop.score == pytest.approx(0.5 + 0.1 * crop.prediction_index)


def test_crop_images_are_not_written_when_upload_is_off(tmp_path: Path) -> None:
    input_root, lightly_root = tmp_path / "input", tmp_path / "lightly"
    _write_inputs(input_root, lightly_root)
    doc = config_doc(
        objectLevel={"taskName": "boxes"}, crops={"enableUploadForTasks": ["other-task"]}
    )
    result, lightly, _ = run_local(input_root, lightly_root, doc)
    assert len(result.selected) == 5 and result.object_task == "boxes"
    assert not lightly.list_files(".lightly/crops")


def test_an_unknown_task_fails_the_run_clearly(tmp_path: Path) -> None:
    input_root, lightly_root = tmp_path / "input", tmp_path / "lightly"
    _write_inputs(input_root, lightly_root)
    doc = config_doc(objectLevel={"taskName": "cars"})
    with pytest.raises(Exception, match="cars"):
        run_local(input_root, lightly_root, doc)
    assert not LocalStore(lightly_root).list_files(".lightly/crops")
