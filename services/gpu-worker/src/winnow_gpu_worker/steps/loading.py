"""LOADING_DATASET: the input files to process, and a snapshot of the datapool.

The snapshot matters for resuming: SAVING_RESULTS adds this run's samples to the datapool, so
an attempt that starts after that must still see the pool as it was when the run began.
"""

from __future__ import annotations

import numpy as np

from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_gpu_worker.stages.datapool import Datapool, load_datapool
from winnow_gpu_worker.stages.ledger import pack_arrays, unpack_arrays
from winnow_gpu_worker.stages.listing import list_input_images
from winnow_gpu_worker.stages.work import RunWork
from winnow_gpu_worker.steps.base import StageOutput

_STATE = RunState.LOADING_DATASET


def compute(work: RunWork) -> StageOutput:
    """List the input images (relevant filenames, datapool's processed files left out)."""
    cfg, store = work.cfg, work.input_store
    datapool = load_datapool(work.lightly_store) if cfg.docker.use_datapool else None
    work.state(_STATE, f"Listing images in {store.describe()}")
    names, skipped = list_input_images(cfg, store, work.lightly_store, datapool)
    if datapool is not None:
        work.state(
            _STATE,
            f"Datapool: {len(datapool)} samples selected by earlier runs, "
            f"{skipped} files already processed are skipped",
        )
    if not names:
        where = store.describe()
        if skipped:
            raise PipelineError(
                f"no new image files in {where}: all {skipped} were processed by earlier runs "
                "(set datasource.processAll to process them again)"
            )
        raise PipelineError(f"no image files found in {where}")
    info: dict[str, object] = {"names": names, "skipped": skipped, "datapool": None}
    blobs: dict[str, bytes] = {}
    if datapool is not None:
        info["datapool"] = {
            "processed": sorted(datapool.processed),
            "filenames": list(datapool.filenames),
        }
        blobs["datapool.npz"] = pack_arrays(embeddings=datapool.embeddings)
    return StageOutput(info, blobs)


def restore(work: RunWork, output: StageOutput) -> None:
    """Names, skipped count and the datapool snapshot into the run context."""
    info = output.info
    work.names = list(info["names"])
    work.result.n_input = len(work.names)
    work.result.n_skipped_by_datapool = int(info["skipped"])
    pool = info.get("datapool")
    if pool is not None:
        embeddings = unpack_arrays(output.blobs["datapool.npz"])["embeddings"]
        work.datapool = Datapool(
            processed=set(pool["processed"]),
            filenames=list(pool["filenames"]),
            embeddings=np.asarray(embeddings, dtype=np.float32),
        )
    work.state(_STATE, f"Found {len(work.names)} images in {work.input_store.describe()}")
