"""LOADING_DATASET: which input files (images and videos) this run looks at."""

from __future__ import annotations

from winnow_common.errors import PipelineError, StorageUnavailable
from winnow_common.input_files import is_input_file
from winnow_common.relevant_files import parse_relevant_filenames
from winnow_common.schemas.datasource_paths import relevant_filenames_problem
from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_common.storage import DatasourceStore
from winnow_gpu_worker.stages.datapool import Datapool


def relevant_filenames_key(path: str) -> str:
    """Validate the ``relevant_filenames_file`` path: relative, inside ``.lightly/``.

    The same check (and message) as at config creation (``relevant_filenames_problem``), kept
    here for configs stored before that check existed.
    """
    problem = relevant_filenames_problem(path)
    if problem is not None:
        raise PipelineError(problem)
    return path


def list_input_files(
    cfg: WorkerConfigV4,
    input_store: DatasourceStore,
    lightly_store: DatasourceStore,
    datapool: Datapool | None,
) -> tuple[list[str], int]:
    """Image and video files to process, sorted; and how many the datapool let this run skip.

    The datapool's processed files are files (a video, not its frames); its selected samples
    are left out later, once videos are expanded into frames.
    """
    # Winnow's own folder never counts as input (see ``is_input_file``).
    names = [n for n in input_store.list_files() if is_input_file(n)]
    docker = cfg.docker
    if docker.relevant_filenames_file:
        key = relevant_filenames_key(docker.relevant_filenames_file)
        try:
            text = lightly_store.read(key).decode()
        except StorageUnavailable:
            raise
        except Exception as exc:
            raise PipelineError(
                f"relevant_filenames_file {key!r} cannot be read from the LIGHTLY datasource"
            ) from exc
        try:
            names = parse_relevant_filenames(text).filter(names)
        except ValueError as exc:
            raise PipelineError(f"relevant_filenames_file {key!r}: {exc}") from exc
    skipped = 0
    if datapool is not None:
        process_all = docker.datasource is not None and docker.datasource.process_all
        # Samples already in the pool are never candidates again; processed files are skipped
        # unless the run asks to process everything.
        excluded = set(datapool.filenames) | (set() if process_all else datapool.processed)
        kept = [n for n in names if n not in excluded]
        skipped = len(names) - len(kept)
        names = kept
    return sorted(names), skipped
