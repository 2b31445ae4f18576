"""One error hierarchy for every service; the API maps it to HTTP exactly once."""

from __future__ import annotations

from winnow_common.enums import ApiErrorCode


class WinnowError(Exception):
    """Base error: a message for people, an HTTP status and a Lightly ``ApiErrorCode``."""

    status_code: int = 500
    code: ApiErrorCode = ApiErrorCode.INTERNAL_SERVER_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(WinnowError):
    status_code = 400
    code = ApiErrorCode.BAD_REQUEST


class Unauthorized(WinnowError):
    status_code = 401
    code = ApiErrorCode.UNAUTHORIZED


class Forbidden(WinnowError):
    """The caller may see the resource but not do this to it (e.g. a collaborator deleting)."""

    status_code = 403
    code = ApiErrorCode.FORBIDDEN


class NotFound(WinnowError):
    status_code = 404
    code = ApiErrorCode.NOT_FOUND


class Conflict(WinnowError):
    status_code = 409
    code = ApiErrorCode.CONFLICT


class InvalidInput(WinnowError):
    """A payload that parses but is not acceptable (422)."""

    status_code = 422
    code = ApiErrorCode.MALFORMED_REQUEST


class DatasetNotFound(NotFound):
    code = ApiErrorCode.DATASET_UNKNOWN

    def __init__(self, dataset_id: str) -> None:
        # Raised for the ``datasetId`` path parameter: the message names it.
        super().__init__(f"datasetId: dataset {dataset_id} does not exist")


class DatasetNameExists(Conflict):
    code = ApiErrorCode.DATASET_NAME_EXISTS

    def __init__(self, name: str) -> None:
        # The message names the request field the name came from (``name``).
        super().__init__(f"name: a dataset named {name!r} already exists")


class DatasourceNotConfigured(BadRequest):
    code = ApiErrorCode.DATASET_DATASOURCE_UNKNOWN


class DatasourceNotFound(NotFound):
    code = ApiErrorCode.DATASET_DATASOURCE_UNKNOWN


class TagNotFound(NotFound):
    code = ApiErrorCode.TAG_UNKNOWN


class TagNameExists(Conflict):
    code = ApiErrorCode.TAG_NAME_EXISTS


class SampleNotFound(NotFound):
    code = ApiErrorCode.SAMPLE_UNKNOWN


class ComputeWorkerNotFound(NotFound):
    code = ApiErrorCode.DOCKER_WORKER_UNKNOWN


class RunNotFound(NotFound):
    code = ApiErrorCode.DOCKER_RUN_UNKNOWN


class ArtifactNotFound(NotFound):
    code = ApiErrorCode.DOCKER_RUN_ARTIFACT_UNKNOWN


class WorkerConfigNotFound(NotFound):
    code = ApiErrorCode.DOCKER_WORKER_CONFIG_UNKNOWN


class InvalidWorkerConfig(InvalidInput):
    code = ApiErrorCode.DOCKER_WORKER_CONFIG_INVALID


class ScheduledRunNotFound(NotFound):
    code = ApiErrorCode.DOCKER_WORKER_SCHEDULE_UNKNOWN


class StorageError(WinnowError):
    """Reading or writing a datasource failed (bad credentials, missing bucket, I/O)."""


class ObjectNotFound(StorageError):
    """The key does not exist in the store (a permanent answer, not an outage)."""


class StorageUnavailable(StorageError):
    """The store did not answer (connection refused, timeout, 5xx): worth retrying later."""

    status_code = 503


class PipelineError(WinnowError):
    """A run cannot go on; the message becomes the run's FAILED message."""


class RunInterrupted(WinnowError):
    """The attempt must stop now without failing the run (it is retried by another attempt)."""

    status_code = 503


class LeaseLost(RunInterrupted):
    """This process no longer holds the run's lease: another attempt may own the run."""


class HandBackRequested(RunInterrupted):
    """The process is shutting down (SIGTERM): hand the run back to the queue."""


class PayloadTooLarge(InvalidInput):
    """A request body over the API's size limit (413)."""

    status_code = 413
