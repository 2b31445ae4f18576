"""The worker's pipeline: list -> corruptness check -> exact duplicates -> embed -> select -> save.

No Celery and no database here: the Celery task and (later) the standalone CLI call the same
function with stores and a state callback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import torch

from winnow_common.config import WorkerSettings
from winnow_common.embeddings_csv import write_embeddings_csv
from winnow_common.enums import RunState
from winnow_common.errors import PipelineError, StorageError
from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_gpu_worker.ml.corruptness import check_image_bytes
from winnow_gpu_worker.ml.duplicates import content_hash, find_exact_duplicates
from winnow_gpu_worker.ml.embed import build_backbone, embed_images, l2_normalize
from winnow_gpu_worker.ml.images import is_image_filename
from winnow_gpu_worker.ml.select import resolve_sample_count, select_diverse

log = logging.getLogger(__name__)

StateCallback = Callable[[RunState, str], None]

# Files are fetched in parallel during the check: object stores answer slowly per request.
_READ_THREADS = 8
_PROGRESS_EVERY = 0.1


@dataclass
class PipelineResult:
    """What a run found and chose; filenames are relative to the INPUT datasource root."""

    n_input: int
    corrupt: dict[str, str] = field(default_factory=dict)
    duplicates: dict[str, str] = field(default_factory=dict)
    filenames: list[str] = field(default_factory=list)
    embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    selected: list[str] = field(default_factory=list)
    model_trained: bool = False
    model_description: str = ""

    @property
    def removed(self) -> list[str]:
        """Clean samples the selection did not keep."""
        chosen = set(self.selected)
        return [f for f in self.filenames if f not in chosen]


class _Progress:
    """Reports ``done/total`` through the state callback about every 10 %."""

    def __init__(self, state: RunState, verb: str, total: int, on_state: StateCallback) -> None:
        self.state, self.verb, self.total, self.on_state = state, verb, total, on_state
        self.step = max(1, int(total * _PROGRESS_EVERY))
        self.next_report = self.step

    def __call__(self, done: int, total: int | None = None, extra: str = "") -> None:
        if done >= self.next_report or done == self.total:
            self.next_report = done + self.step
            self.on_state(self.state, f"{self.verb} {done}/{self.total} files{extra}")


def _check_files(
    store: DatasourceStore,
    names: list[str],
    *,
    check_corruptness: bool,
    hash_content: bool,
    on_state: StateCallback,
) -> tuple[dict[str, str], dict[str, str]]:
    """Read every file once; return (corrupt name -> reason, clean name -> content hash)."""
    corrupt: dict[str, str] = {}
    hashes: dict[str, str] = {}
    progress = _Progress(RunState.CHECKING_CORRUPTNESS, "Checked", len(names), on_state)

    def inspect(name: str) -> tuple[str, str | None, str | None]:
        try:
            data = store.read(name)
        except StorageError as exc:
            return name, f"file is missing or not readable: {exc.message}", None
        reason = check_image_bytes(name, data) if check_corruptness else None
        return name, reason, content_hash(data) if hash_content and reason is None else None

    with ThreadPoolExecutor(_READ_THREADS) as pool:
        for done, (name, reason, digest) in enumerate(pool.map(inspect, names), start=1):
            if reason is not None:
                corrupt[name] = reason
                log.warning("corrupt: %s (%s)", name, reason)
            elif digest is not None:
                hashes[name] = digest
            progress(done, extra=f", {len(corrupt)} corrupt")
    return corrupt, hashes


def _selection_device(settings: WorkerSettings) -> str | None:
    """CUDA for the greedy loop when the worker may use it; None keeps it in NumPy."""
    wants_cuda = settings.device == "cuda" or (
        settings.device == "auto" and torch.cuda.is_available()
    )
    return "cuda" if wants_cuda else None


def _load_checkpoint(cfg: WorkerConfigV4, lightly_store: DatasourceStore) -> bytes | None:
    key = cfg.docker.checkpoint
    if not key:
        return None
    try:
        return lightly_store.read(key.lstrip("/"))
    except StorageError as exc:
        raise PipelineError(f"checkpoint {key!r} not found in the LIGHTLY datasource") from exc


def run_pipeline(
    cfg: WorkerConfigV4,
    input_store: DatasourceStore,
    lightly_store: DatasourceStore,
    keys: RunKeys,
    settings: WorkerSettings,
    on_state: StateCallback,
) -> PipelineResult:
    """Run every stage and write the outputs under ``keys`` in the LIGHTLY datasource."""
    docker = cfg.docker
    if cfg.selection is None:
        raise PipelineError("the config has no selection")

    on_state(RunState.LOADING_DATASET, f"Listing images in {input_store.describe()}")
    names = [n for n in input_store.list_files() if is_image_filename(n)]
    if not names:
        raise PipelineError(f"no image files found in {input_store.describe()}")
    result = PipelineResult(n_input=len(names))
    on_state(RunState.LOADING_DATASET, f"Found {len(names)} images in {input_store.describe()}")

    on_state(RunState.CHECKING_CORRUPTNESS, f"Checking {len(names)} files")
    corrupt, hashes = _check_files(
        input_store,
        names,
        check_corruptness=docker.enable_corruptness_check,
        hash_content=docker.remove_exact_duplicates,
        on_state=on_state,
    )
    result.corrupt = corrupt
    if docker.remove_exact_duplicates:
        result.duplicates = find_exact_duplicates(hashes)
    clean = [n for n in names if n not in corrupt and n not in result.duplicates]
    on_state(
        RunState.CHECKING_CORRUPTNESS,
        f"{len(corrupt)} corrupt and {len(result.duplicates)} exact duplicate files removed; "
        f"{len(clean)} remain",
    )

    model, trained = build_backbone(_load_checkpoint(cfg, lightly_store))
    result.model_trained = trained
    result.model_description = (
        f"ResNet-18 loaded from checkpoint {docker.checkpoint}"
        if trained
        else "ResNet-18 with random weights (untrained: no checkpoint was configured)"
    )
    if not trained:
        log.warning("The embedding model is UNTRAINED: %s", result.model_description)
    loader = cfg.lightly.loader
    collate = cfg.lightly.collate
    on_state(RunState.EMBEDDING, f"Embedding {len(clean)} images with {result.model_description}")
    embedded = embed_images(
        clean,
        input_store.read,
        model,
        input_size=(collate.input_size if collate and collate.input_size else settings.input_size),
        batch_size=(loader.batch_size if loader and loader.batch_size else settings.batch_size),
        num_workers=settings.num_loader_workers,
        device=settings.device,
        progress=_Progress(RunState.EMBEDDING, "Embedded", len(clean), on_state),
    )
    # Files that passed the check but failed to decode (check disabled) count as corrupt.
    result.corrupt.update(embedded.failed)
    result.filenames = embedded.filenames
    embeddings = embedded.embeddings
    result.embeddings = l2_normalize(embeddings) if docker.normalize_embeddings else embeddings
    if not result.filenames:
        raise PipelineError("no usable images left after the corruptness check")

    n = resolve_sample_count(
        len(result.filenames), cfg.selection.n_samples, cfg.selection.proportion_samples
    )
    on_state(RunState.SAMPLING, f"Selecting {n} of {len(result.filenames)} samples (DIVERSITY)")
    chosen = select_diverse(result.embeddings, n, device=_selection_device(settings))
    result.selected = sorted(result.filenames[i] for i in chosen)

    on_state(RunState.SAVING_RESULTS, f"Saving results to {lightly_store.describe()}")
    save_outputs(result, cfg, lightly_store, keys)
    return result


def _lines(names: Iterable[str]) -> bytes:
    return "".join(f"{n}\n" for n in names).encode()


def save_outputs(
    result: PipelineResult, cfg: WorkerConfigV4, store: DatasourceStore, keys: RunKeys
) -> None:
    """Write the Lightly-style output folder for the run."""
    index = {name: i for i, name in enumerate(result.filenames)}
    selected_rows = [index[n] for n in result.selected]
    store.write(
        keys.config,
        json.dumps(cfg.model_dump(mode="json", by_alias=True), indent=2).encode(),
        "application/json",
    )
    store.write(
        keys.embeddings_csv, write_embeddings_csv(result.filenames, result.embeddings), "text/csv"
    )
    store.write(
        keys.selected_embeddings_csv,
        write_embeddings_csv(result.selected, result.embeddings[selected_rows]),
        "text/csv",
    )
    lists = {
        "corrupt": sorted(result.corrupt),
        "duplicate": sorted(result.duplicates),
        "removed": result.removed,
        "selected": result.selected,
    }
    for kind, names in lists.items():
        store.write(keys.filenames(kind), _lines(names), "text/plain")
    store.write(
        keys.corruptness_info,
        json.dumps({"corrupt_samples": result.corrupt}, indent=2, sort_keys=True).encode(),
        "application/json",
    )
    store.write(
        keys.exact_duplicates,
        json.dumps(result.duplicates, indent=2, sort_keys=True).encode(),
        "application/json",
    )
