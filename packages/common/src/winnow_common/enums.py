"""Enumerations shared by the wire format, the DB and the workers (values are wire values)."""

from __future__ import annotations

from enum import StrEnum


class DatasetType(StrEnum):
    CROPS = "Crops"
    IMAGES = "Images"
    VIDEOS = "Videos"


class SampleType(StrEnum):
    """What a sample is: an image file, a frame of an input video, or an object crop."""

    IMAGE = "IMAGE"
    VIDEO_FRAME = "VIDEO_FRAME"
    CROP = "CROP"


class ImageType(StrEnum):
    FULL = "full"
    THUMBNAIL = "thumbnail"
    META = "meta"


class DatasourcePurpose(StrEnum):
    INPUT_OUTPUT = "INPUT_OUTPUT"
    INPUT = "INPUT"
    LIGHTLY = "LIGHTLY"


class DatasourceType(StrEnum):
    S3 = "S3"
    S3_DELEGATED_ACCESS = "S3DelegatedAccess"
    GCS = "GCS"
    AZURE = "AZURE"
    OBS = "OBS"
    LOCAL = "LOCAL"
    LIGHTLY = "LIGHTLY"


class ScheduledRunPriority(StrEnum):
    LOW = "LOW"
    MID = "MID"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class ComputeWorkerState(StrEnum):
    """Lightly's ``DockerWorkerState``."""

    OFFLINE = "OFFLINE"
    CRASHED = "CRASHED"
    IDLE = "IDLE"
    BUSY = "BUSY"


class AttemptOutcome(StrEnum):
    """How one attempt at a run stage ended (Winnow's own; ``run_attempt.outcome``).

    LOST (the lease expired: the process died or lost its database) and ABANDONED (an outage
    outlasted the retry budget) count towards ``RUN_MAX_ATTEMPTS``; HANDED_BACK (a graceful
    shutdown) does not.
    """

    DONE = "DONE"
    FAILED = "FAILED"
    HANDED_BACK = "HANDED_BACK"
    LOST = "LOST"
    ABANDONED = "ABANDONED"
    ABORTED = "ABORTED"  # the run was canceled while this attempt ran

    @property
    def counts_as_crash(self) -> bool:
        """Whether this outcome uses up one of the run's bounded attempts."""
        return self in (AttemptOutcome.LOST, AttemptOutcome.ABANDONED)


class ScheduledRunState(StrEnum):
    OPEN = "OPEN"
    LOCKED = "LOCKED"
    DONE = "DONE"
    CANCELED = "CANCELED"


class RunState(StrEnum):
    """Lightly's ``DockerRunState``: the stages a run moves through, in pipeline order."""

    STARTED = "STARTED"
    INITIALIZING = "INITIALIZING"
    LOADING_DATASET = "LOADING_DATASET"
    LOADING_METADATA = "LOADING_METADATA"
    LOADING_PREDICTION = "LOADING_PREDICTION"
    CHECKING_CORRUPTNESS = "CHECKING_CORRUPTNESS"
    INITIALIZING_OBJECT_CROPS = "INITIALIZING_OBJECT_CROPS"
    COMPUTING_METADATA = "COMPUTING_METADATA"
    TRAINING = "TRAINING"
    EMBEDDING = "EMBEDDING"
    EMBEDDING_OBJECT_CROPS = "EMBEDDING_OBJECT_CROPS"
    PRETAGGING = "PRETAGGING"
    COMPUTING_ACTIVE_LEARNING_SCORES = "COMPUTING_ACTIVE_LEARNING_SCORES"
    SAMPLING = "SAMPLING"
    EMBEDDING_FULL_IMAGES = "EMBEDDING_FULL_IMAGES"
    SAVING_RESULTS = "SAVING_RESULTS"
    UPLOADING_DATASET = "UPLOADING_DATASET"
    GENERATING_REPORT = "GENERATING_REPORT"
    UPLOADING_REPORT = "UPLOADING_REPORT"
    UPLOADED_REPORT = "UPLOADED_REPORT"
    UPLOADING_ARTIFACTS = "UPLOADING_ARTIFACTS"
    UPLOADED_ARTIFACTS = "UPLOADED_ARTIFACTS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CRASHED = "CRASHED"
    ABORTED = "ABORTED"

    @property
    def is_terminal(self) -> bool:
        """Whether the run has ended (the lightly client stops polling)."""
        return self in _TERMINAL_RUN_STATES


_TERMINAL_RUN_STATES = frozenset(
    {RunState.COMPLETED, RunState.FAILED, RunState.CRASHED, RunState.ABORTED}
)


class ArtifactType(StrEnum):
    LOG = "LOG"
    MEMLOG = "MEMLOG"
    CHECKPOINT = "CHECKPOINT"
    REPORT_PDF = "REPORT_PDF"
    REPORT_JSON = "REPORT_JSON"
    REPORT_V2_JSON = "REPORT_V2_JSON"
    CORRUPTNESS_CHECK_INFORMATION = "CORRUPTNESS_CHECK_INFORMATION"
    SEQUENCE_INFORMATION = "SEQUENCE_INFORMATION"
    RELEVANT_FILENAMES = "RELEVANT_FILENAMES"


class ArtifactStorageLocation(StrEnum):
    LIGHTLY = "LIGHTLY"
    DATASOURCE = "DATASOURCE"


class SelectionInputType(StrEnum):
    EMBEDDINGS = "EMBEDDINGS"
    SCORES = "SCORES"
    METADATA = "METADATA"
    PREDICTIONS = "PREDICTIONS"
    RANDOM = "RANDOM"


class SelectionStrategyType(StrEnum):
    DIVERSITY = "DIVERSITY"
    WEIGHTS = "WEIGHTS"
    THRESHOLD = "THRESHOLD"
    BALANCE = "BALANCE"
    SIMILARITY = "SIMILARITY"
    TYPICALITY = "TYPICALITY"


class Creator(StrEnum):
    UNKNOWN = "UNKNOWN"
    USER_WEBAPP = "USER_WEBAPP"
    USER_PIP = "USER_PIP"
    USER_PIP_LIGHTLY_MAGIC = "USER_PIP_LIGHTLY_MAGIC"
    USER_WORKER = "USER_WORKER"


class TagCreator(StrEnum):
    UNKNOWN = "UNKNOWN"
    USER_WEBAPP = "USER_WEBAPP"
    USER_PIP = "USER_PIP"
    USER_PIP_LIGHTLY_MAGIC = "USER_PIP_LIGHTLY_MAGIC"
    USER_WORKER = "USER_WORKER"
    SAMPLER_ACTIVE_LEARNING = "SAMPLER_ACTIVE_LEARNING"
    SAMPLER_CORAL = "SAMPLER_CORAL"
    SAMPLER_CORESET = "SAMPLER_CORESET"
    SAMPLER_RANDOM = "SAMPLER_RANDOM"


class FileNameFormat(StrEnum):
    NAME = "NAME"
    DATASOURCE_FULL = "DATASOURCE_FULL"
    REDIRECTED_READ_URL = "REDIRECTED_READ_URL"


class ApiErrorCode(StrEnum):
    """The subset of Lightly's ``ApiErrorCode`` values Winnow answers with."""

    BAD_REQUEST = "BAD_REQUEST"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    MALFORMED_REQUEST = "MALFORMED_REQUEST"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    DATASET_UNKNOWN = "DATASET_UNKNOWN"
    DATASET_NAME_EXISTS = "DATASET_NAME_EXISTS"
    DATASET_DATASOURCE_UNKNOWN = "DATASET_DATASOURCE_UNKNOWN"
    TAG_UNKNOWN = "TAG_UNKNOWN"
    TAG_NAME_EXISTS = "TAG_NAME_EXISTS"
    SAMPLE_UNKNOWN = "SAMPLE_UNKNOWN"
    DOCKER_WORKER_UNKNOWN = "DOCKER_WORKER_UNKNOWN"
    DOCKER_RUN_UNKNOWN = "DOCKER_RUN_UNKNOWN"
    DOCKER_RUN_ARTIFACT_UNKNOWN = "DOCKER_RUN_ARTIFACT_UNKNOWN"
    DOCKER_WORKER_CONFIG_UNKNOWN = "DOCKER_WORKER_CONFIG_UNKNOWN"
    DOCKER_WORKER_CONFIG_INVALID = "DOCKER_WORKER_CONFIG_INVALID"
    DOCKER_WORKER_SCHEDULE_UNKNOWN = "DOCKER_WORKER_SCHEDULE_UNKNOWN"
