"""Listing only relevant files: the listings' ``relevantFilenamesFileName`` (a relevant-filenames
file in the dataset's LIGHTLY datasource, path relative to its root, e.g.
``.lightly/relevant_filenames.txt``) or ``relevantFilenamesRunId`` + ``relevantFilenamesArtifactId``
(an artifact of a run the caller may read, from that run's LIGHTLY datasource).

The file is parsed by the GPU worker's rule (``winnow_common.relevant_files``: exact names,
``prefix*`` lines with gitignore patterns), so a listing returns the input files a run with the
same ``relevant_filenames_file`` would consider. Metadata and prediction files
(``<stem>.json``) are kept when the sample they belong to is relevant.

The file is located while the request's transaction is open (:func:`locate`) and read after it
ended (:func:`load`), as every listing touches storage.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from winnow_api.datasources import reading
from winnow_api.datasources import service as datasource_service
from winnow_api.runs import service as run_service
from winnow_common.db.models import User
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import BadRequest, DatasourceNotFound, NotFound, ObjectNotFound
from winnow_common.relevant_files import RelevantFiles, parse_relevant_filenames

FILE_PARAM = "relevantFilenamesFileName"
RUN_PARAM = "relevantFilenamesRunId"
ARTIFACT_PARAM = "relevantFilenamesArtifactId"


@dataclass(frozen=True)
class RelevantSource:
    """Which relevant-filenames file a listing filters by (kept in its cursor)."""

    file_name: str | None = None
    run_id: str | None = None
    artifact_id: str | None = None


def source_of(
    file_name: str | None, run_id: str | None = None, artifact_id: str | None = None
) -> RelevantSource | None:
    """The request's relevant-filenames parameters (None: list everything); 400 naming the
    parameter for a half-given artifact, both kinds at once or a path leaving the datasource."""
    if run_id is not None and artifact_id is None:
        raise BadRequest(f"{ARTIFACT_PARAM}: required together with {RUN_PARAM}")
    if artifact_id is not None and run_id is None:
        raise BadRequest(f"{RUN_PARAM}: required together with {ARTIFACT_PARAM}")
    if file_name is not None and run_id is not None:
        raise BadRequest(
            f"{FILE_PARAM}: give either it or {RUN_PARAM} with {ARTIFACT_PARAM}, not both"
        )
    if file_name is None and run_id is None:
        return None
    if file_name is not None:
        try:
            reading.folder_key("", file_name)
        except BadRequest as exc:
            raise BadRequest(
                f"{FILE_PARAM}: {file_name!r} must be a relative path inside the LIGHTLY "
                "datasource, e.g. '.lightly/relevant_filenames.txt'"
            ) from exc
    return RelevantSource(file_name, run_id, artifact_id)


@dataclass(frozen=True)
class RelevantRef:
    """Where a relevant-filenames file lies and the parameter that named it."""

    source: reading.OpenSource
    key: str
    param: str


def locate(session: Session, user: User, dataset_id: str, source: RelevantSource) -> RelevantRef:
    """The store and key of the file (404 naming the parameter for a run or artifact the
    caller cannot read, or a dataset without the LIGHTLY datasource that would hold it)."""
    if source.file_name is not None:
        try:
            row = datasource_service.source_for(
                session, user, dataset_id, DatasourcePurpose.LIGHTLY
            )
        except DatasourceNotFound as exc:
            raise NotFound(
                f"{FILE_PARAM}: {source.file_name!r} cannot exist: the dataset has no LIGHTLY "
                "datasource"
            ) from exc
        return RelevantRef(reading.open_source(row), source.file_name, FILE_PARAM)
    run_id, artifact_id = str(source.run_id), str(source.artifact_id)
    try:
        run = run_service.get_readable(session, user, run_id)
    except NotFound as exc:
        raise NotFound(f"{RUN_PARAM}: run {run_id} does not exist") from exc
    try:
        artifact = run_service.artifact(session, user, run.id, artifact_id)
    except NotFound as exc:
        raise NotFound(f"{ARTIFACT_PARAM}: run {run_id} has no artifact {artifact_id}") from exc
    try:
        row = datasource_service.configured_source(
            session, run.dataset_id, DatasourcePurpose.LIGHTLY
        )
    except DatasourceNotFound as exc:
        raise NotFound(
            f"{ARTIFACT_PARAM}: run {run_id}'s dataset has no LIGHTLY datasource"
        ) from exc
    return RelevantRef(reading.open_source(row), artifact.storage_key, ARTIFACT_PARAM)


def load(ref: RelevantRef) -> RelevantFiles:
    """The parsed file: 404 naming the parameter when it does not exist, 400 when it is not
    UTF-8 text or a line breaks the rule."""
    with reading.storage_errors(ref.source.where):
        try:
            data = ref.source.store.read(ref.key)
        except ObjectNotFound as exc:
            raise NotFound(
                f"{ref.param}: {ref.key!r} does not exist in the LIGHTLY datasource"
            ) from exc
    try:
        return parse_relevant_filenames(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadRequest(f"{ref.param}: {ref.key!r} is not UTF-8 text") from exc
    except ValueError as exc:
        raise BadRequest(f"{ref.param}: {ref.key!r}: {exc}") from exc
