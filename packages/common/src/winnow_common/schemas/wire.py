"""Lightly Platform v1 request/response models (see shared/reference/lightly-client-wire.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from winnow_common.enums import (
    ArtifactStorageLocation,
    ArtifactType,
    Creator,
    DatasetType,
    DatasourcePurpose,
    ImageType,
    RunState,
    ScheduledRunPriority,
    ScheduledRunState,
    TagCreator,
)
from winnow_common.schemas.base import (
    EntityName,
    ObjectId,
    TagName,
    Timestamp,
    WireRequest,
    WireResponse,
)

HttpUrl = Annotated[str, Field(pattern=r"^https?://.+$")]
NonEmpty = Annotated[str, Field(min_length=1)]


class CreateEntityResponse(WireResponse):
    id: ObjectId


class ErrorBody(WireResponse):
    """The error body every failure answers with (Lightly's ``ApiErrorResponse``)."""

    code: str
    error: str


# --- datasets ---------------------------------------------------------------------------


class DatasetCreateRequest(WireRequest):
    name: EntityName
    type: DatasetType = DatasetType.IMAGES
    img_type: ImageType = ImageType.FULL
    creator: Creator | None = None
    parent_dataset_id: ObjectId | None = None


class DatasetData(WireResponse):
    id: ObjectId
    name: str
    user_id: str
    type: DatasetType
    img_type: ImageType
    n_samples: int
    size_in_bytes: int
    created_at: Timestamp
    last_modified_at: Timestamp
    datasources: list[str]


# --- datasources ------------------------------------------------------------------------


class _DatasourceBase(WireRequest):
    id: ObjectId | None = None
    purpose: DatasourcePurpose
    thumb_suffix: str | None = None
    full_path: str


class DatasourceConfigLocal(_DatasourceBase):
    type: Literal["LOCAL"]
    web_server_location: HttpUrl | None = None


class DatasourceConfigOBS(_DatasourceBase):
    type: Literal["OBS"]
    obs_endpoint: HttpUrl
    obs_access_key_id: NonEmpty
    obs_secret_access_key: NonEmpty


class DatasourceConfigS3(_DatasourceBase):
    type: Literal["S3"]
    s3_region: NonEmpty = Field(alias="s3Region")
    s3_access_key_id: NonEmpty = Field(alias="s3AccessKeyId")
    s3_secret_access_key: NonEmpty = Field(alias="s3SecretAccessKey")
    s3_server_side_encryption_kms_key: str | None = Field(
        default=None, alias="s3ServerSideEncryptionKMSKey"
    )


DatasourceConfig = Annotated[
    DatasourceConfigLocal | DatasourceConfigOBS | DatasourceConfigS3,
    Field(discriminator="type"),
]

# Wire fields per datasource type that are secrets: encrypted at rest, masked on read.
DATASOURCE_SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "LOCAL": (),
    "OBS": ("obsSecretAccessKey",),
    "S3": ("s3SecretAccessKey",),
}
SECRET_MASK = "***"


# --- worker configs and scheduled runs --------------------------------------------------


class WorkerConfigCreateRequest(WireRequest):
    """``DockerWorkerConfigOmniVXCreateRequest``: the config itself is validated separately."""

    version: Literal["V4"]
    config: dict[str, object]
    creator: Creator | None = None


class ScheduledRunCreateRequest(WireRequest):
    config_id: ObjectId
    priority: ScheduledRunPriority = ScheduledRunPriority.MID
    runs_on: list[str] = Field(default_factory=list)
    creator: Creator | None = None


class ScheduledRunData(WireResponse):
    id: ObjectId
    dataset_id: ObjectId
    user_id: str
    config_id: ObjectId
    priority: ScheduledRunPriority
    runs_on: list[str]
    state: ScheduledRunState
    created_at: Timestamp
    last_modified_at: Timestamp


class RunArtifactData(WireResponse):
    id: ObjectId
    type: ArtifactType
    file_name: str
    storage_location: ArtifactStorageLocation | None = None
    created_at: Timestamp | None = None


class RunData(WireResponse):
    """Lightly's ``DockerRunData``."""

    id: ObjectId
    user_id: str
    docker_version: str
    state: RunState
    dataset_id: ObjectId
    config_id: ObjectId
    scheduled_id: ObjectId
    created_at: Timestamp
    last_modified_at: Timestamp
    message: str
    artifacts: list[RunArtifactData]


# --- tags ---------------------------------------------------------------------------------


class TagData(WireResponse):
    id: ObjectId
    dataset_id: ObjectId
    prev_tag_id: ObjectId | None = None
    name: TagName
    bit_mask_data: str
    tot_size: int
    created_at: Timestamp
    last_modified_at: Timestamp | None = None
    run_id: ObjectId | None = None


class TagCreateRequest(WireRequest):
    name: TagName
    prev_tag_id: ObjectId
    bit_mask_data: Annotated[str, Field(pattern=r"^0x[a-f0-9]+$")]
    tot_size: int
    creator: TagCreator | None = None
    run_id: ObjectId | None = None
