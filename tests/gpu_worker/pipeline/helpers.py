"""Running the worker pipeline on CPU over ``LocalStore``s, and the inputs it reads."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from skimage import data as skdata

from winnow_common.config import WorkerSettings
from winnow_common.enums import RunState
from winnow_common.schemas.worker_config import parse_worker_config
from winnow_common.storage import LocalStore, RunKeys
from winnow_gpu_worker.pipeline import PipelineResult, run_pipeline
from winnow_gpu_worker.stages.hooks import PipelineHooks

SETTINGS = WorkerSettings(device="cpu", batch_size=8, num_loader_workers=0, input_size=32)
KEYS = RunKeys("out")


_PHOTOS = ("astronaut", "coffee", "chelsea", "camera", "rocket", "immunohistochemistry")


def digit_png(index: int, size: int = 32) -> bytes:
    """A distinct real photo crop per index (the name is historic: any small image will do)."""
    photo = np.asarray(getattr(skdata, _PHOTOS[index % len(_PHOTOS)])())
    offset = 40 * (index // len(_PHOTOS))
    crop = photo[offset : offset + 128, offset : offset + 128]
    img = Image.fromarray(crop).convert("RGB").resize((size, size))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def write_images(root: Path, count: int, start: int = 0, prefix: str = "") -> list[str]:
    """``count`` distinct PNGs under ``root`` (numbered from ``start``); their names."""
    names = []
    for i in range(start, start + count):
        name = f"{prefix}digit_{i:03d}.png"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(digit_png(i))
        names.append(name)
    return names


def config_doc(**docker: Any) -> dict[str, Any]:
    """A worker config document: ``docker`` options, a 5-sample DIVERSITY selection by default."""
    selection = docker.pop("selection", None) or {
        "nSamples": 5,
        "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
    }
    lightly = docker.pop("lightly", {})
    return {"docker": docker, "lightly": lightly, "selection": selection}


class Recorder:
    """The state callback: every state and message the pipeline reports, in order."""

    def __init__(self) -> None:
        self.states: list[RunState] = []
        self.messages: list[str] = []

    def __call__(self, state: RunState, message: str) -> None:
        self.states.append(state)
        self.messages.append(message)


def run_local(
    input_root: Path,
    lightly_root: Path,
    document: dict[str, Any],
    hooks: PipelineHooks | None = None,
    keys: RunKeys = KEYS,
) -> tuple[PipelineResult, LocalStore, Recorder]:
    """Run the pipeline with ``document``; its result, the LIGHTLY store and the states."""
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


def lines(store: LocalStore, key: str) -> list[str]:
    """The non-empty lines of a text file in ``store``."""
    return [line for line in store.read(key).decode().splitlines() if line]


def write_predictions(lightly_root: Path, names: list[str], probs: list[list[float]]) -> None:
    """A classification task ``clf`` (cat, dog) with one prediction per file, as Lightly lays
    out ``.lightly/predictions``."""
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
