"""CHECKING_CORRUPTNESS: corrupt files, exact duplicates and the ``lightly.*`` metadata."""

from __future__ import annotations

from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_gpu_worker.ml.duplicates import find_exact_duplicates
from winnow_gpu_worker.stages.checks import check_files
from winnow_gpu_worker.stages.work import RunWork
from winnow_gpu_worker.steps.base import StageOutput, from_json_blob, json_blob, worker_count

_STATE = RunState.CHECKING_CORRUPTNESS


def compute(work: RunWork) -> StageOutput:
    """Read every listed file once: decode check, content hash, metadata."""
    docker, names = work.cfg.docker, work.names
    work.state(_STATE, f"Checking {len(names)} files")
    checked = check_files(
        work.input_store,
        names,
        check_corruptness=docker.enable_corruptness_check,
        hash_content=docker.remove_exact_duplicates,
        threads=worker_count(docker.num_threads, 8) if docker.num_threads else None,
        progress=work.progress(_STATE, "Checked", len(names)),
    )
    duplicates = find_exact_duplicates(checked.hashes) if docker.remove_exact_duplicates else {}
    info = {"corrupt": dict(checked.corrupt), "duplicates": duplicates}
    return StageOutput(info, {"metadata.json": json_blob(checked.metadata)})


def restore(work: RunWork, output: StageOutput) -> None:
    """Corrupt files, duplicates, clean files and metadata into the run context."""
    result = work.result
    result.corrupt = dict(output.info["corrupt"])
    result.duplicates = dict(output.info["duplicates"])
    work.metadata = from_json_blob(output.blobs["metadata.json"])
    work.clean = [n for n in work.names if n not in result.corrupt and n not in result.duplicates]
    work.state(
        _STATE,
        f"{len(result.corrupt)} corrupt and {len(result.duplicates)} exact duplicate files "
        f"removed; {len(work.clean)} remain",
    )
    if not work.clean:
        raise PipelineError("no usable images left after the corruptness check")
