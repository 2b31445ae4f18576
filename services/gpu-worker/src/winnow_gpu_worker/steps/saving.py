"""SAVING_RESULTS: the Lightly output folder, the datapool update and ``dump_dataset``.

Every file goes to a deterministic key and replaces what is there, and the datapool is updated
from the snapshot taken in LOADING_DATASET, so saving twice (a retried attempt) writes the same
bytes as saving once.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_gpu_worker.ml.embed import l2_normalize
from winnow_gpu_worker.stages.datapool import update_datapool
from winnow_gpu_worker.stages.outputs import (
    dump_selected,
    write_embeddings,
    write_filename_lists,
    write_json,
)
from winnow_gpu_worker.stages.report_inputs import (
    custom_metadata_for_report,
    predictions_for_report,
    write_predictions,
)
from winnow_gpu_worker.stages.work import PipelineResult, RunWork
from winnow_gpu_worker.steps.base import StageOutput
from winnow_gpu_worker.steps.sampling import jsonable

_STATE = RunState.SAVING_RESULTS


def compute(work: RunWork) -> StageOutput:
    """Write every output of the run; returns the keys of the dumped files."""
    cfg, result, out, keys = work.cfg, work.result, work.out, work.keys
    docker = cfg.docker
    work.state(_STATE, f"Saving results to {out.describe()}")
    custom = custom_metadata_for_report(work.lightly_store, result.filenames, work.custom_metadata)
    save_outputs(result, cfg, out, keys, work.metadata, custom)
    write_predictions(
        out, keys, predictions_for_report(work.lightly_store, result.filenames, work.predictions)
    )
    index = {name: i for i, name in enumerate(result.filenames)}
    selected_rows = [index[name] for name in result.selected]
    datapool = work.datapool
    if datapool is not None:
        pool_rows = []
        if len(datapool):
            pool = datapool.embeddings
            pool_rows = [l2_normalize(pool) if docker.normalize_embeddings else pool]
        write_embeddings(
            out,
            keys.selected_embeddings_with_datapool_csv,
            result.datapool_filenames + result.selected,
            np.concatenate([*pool_rows, result.embeddings[selected_rows]]),
        )
    dumped: list[str] = []
    if docker.dump_dataset:
        work.state(_STATE, f"Copying {len(result.selected)} selected files")
        try:
            dumped = dump_selected(
                work.input_store.read,
                out,
                keys,
                result.selected,
                docker.output_image_format,
                docker.output_image_size,
            )
        except ValueError as exc:
            raise PipelineError(f"dump_dataset: {exc}") from exc
    if datapool is not None and (
        docker.datasource is None or docker.datasource.enable_datapool_update
    ):
        update_datapool(
            work.lightly_store,
            datapool,
            work.names,
            result.selected,
            work.raw_embeddings[selected_rows],
        )
        work.state(_STATE, "Updated the datapool")
    return StageOutput({"dumped_keys": dumped})


def restore(work: RunWork, output: StageOutput) -> None:
    """The dumped keys into the result."""
    work.result.dumped_keys = list(output.info["dumped_keys"])


def save_outputs(
    result: PipelineResult,
    cfg: WorkerConfigV4,
    store: DatasourceStore,
    keys: RunKeys,
    metadata: dict[str, dict[str, Any]],
    custom_metadata: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Write the Lightly-style output folder for the run (the reporter adds plots and reports).

    ``data/metadata.jsonl`` has one line per sample: ``{"filename", "lightly": {...}}`` plus
    ``"custom": {...}`` when the sample has custom metadata.
    """
    index = {name: i for i, name in enumerate(result.filenames)}
    selected_rows = [index[n] for n in result.selected]
    store.write(
        keys.config,
        json.dumps(cfg.model_dump(mode="json", by_alias=True), indent=2).encode(),
        "application/json",
    )
    write_embeddings(store, keys.embeddings_csv, result.filenames, result.embeddings)
    write_embeddings(
        store, keys.selected_embeddings_csv, result.selected, result.embeddings[selected_rows]
    )
    write_filename_lists(
        store,
        keys,
        {
            "corrupt": sorted(result.corrupt),
            "duplicate": sorted(result.duplicates),
            "removed": result.removed,
            "selected": result.selected,
        },
    )
    write_json(store, keys.corruptness_info, {"corrupt_samples": result.corrupt})
    write_json(store, keys.exact_duplicates, result.duplicates)
    write_json(store, keys.selection_info, result.selection_info)
    custom = custom_metadata or {}
    lines = []
    for name in result.filenames:
        record: dict[str, Any] = {"filename": name, "lightly": jsonable(metadata.get(name, {}))}
        if name in custom:
            record["custom"] = jsonable(custom[name])
        lines.append(json.dumps(record, sort_keys=True))
    store.write(keys.metadata, ("\n".join(lines) + "\n" if lines else "").encode(), "text/plain")
