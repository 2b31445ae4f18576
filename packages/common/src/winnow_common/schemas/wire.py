"""Lightly Platform v1 request/response models (see shared/reference/lightly-client-wire.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url
from pydantic import AfterValidator, BaseModel, Field, TypeAdapter

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

# The sample models, re-exported ("X as X") for callers that import them from here.
from winnow_common.schemas.wire_samples import CropData as CropData
from winnow_common.schemas.wire_samples import SampleDataModes as SampleDataModes
from winnow_common.schemas.wire_samples import SampleUpdateRequest as SampleUpdateRequest
from winnow_common.schemas.wire_samples import VideoFrameData as VideoFrameData

if TYPE_CHECKING:
    from winnow_common.db import models


def columns_of(row: object, model: type[BaseModel]) -> dict[str, Any]:
    """The row's values of every field of ``model``, for a wire model whose fields all are
    columns of the row under the same names (a field the row lacks is an ``AttributeError``)."""
    return {name: getattr(row, name) for name in model.model_fields}


HttpUrl = Annotated[str, Field(pattern=r"^https?://.+$")]
NonEmpty = Annotated[str, Field(min_length=1)]


def _s3_endpoint(url: str) -> str:
    """An endpoint the S3 client accepts: a host name or IP address and a valid port.

    boto3 raises ``ValueError`` for any other endpoint when it creates the client, so such a
    value would only fail later (verify, runs, downloads).
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port raises ValueError when it is invalid
    except ValueError as exc:
        raise ValueError(f"{url!r} is not a valid URL: {exc}") from None
    if not (is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url)):
        raise ValueError(f"{url!r} has no valid host name (letters, digits, '-' and '.')")
    return url


def _parsable_url(path: str) -> str:
    """A ``scheme://bucket/prefix`` path the storage layer can split (``urlsplit`` raises
    ``ValueError`` for, e.g., an unclosed ``[`` in the bucket part)."""
    try:
        urlsplit(path)
    except ValueError as exc:
        raise ValueError(f"{path!r} is not a valid bucket path: {exc}") from None
    return path


S3Endpoint = Annotated[HttpUrl, AfterValidator(_s3_endpoint)]
BucketPath = Annotated[str, AfterValidator(_parsable_url)]


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
    # A ``Crops`` dataset's source dataset (None: any other dataset).
    parent_dataset_id: ObjectId | None = None

    @classmethod
    def from_row(
        cls, row: models.Dataset, *, n_samples: int, datasource_ids: list[str]
    ) -> DatasetData:
        """The wire form of a dataset with its sample count and datasource ids."""
        return cls(
            id=row.id,
            name=row.name,
            user_id=row.user_id,
            type=row.type,
            img_type=row.img_type,
            n_samples=n_samples,
            size_in_bytes=0,
            created_at=row.created_at,
            last_modified_at=row.last_modified_at,
            datasources=datasource_ids,
            parent_dataset_id=row.parent_dataset_id,
        )


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
    full_path: BucketPath
    obs_endpoint: S3Endpoint
    obs_access_key_id: NonEmpty
    obs_secret_access_key: NonEmpty


# Lightly's ``S3Region`` enum: the client validates ``s3Region`` against exactly these values.
S3Region = Literal[
    "us-east-2", "us-east-1", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
    "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-south-1", "ap-northeast-3",
    "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ca-central-1",
    "cn-northwest-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-south-1", "eu-west-3",
    "eu-north-1", "eu-south-2", "eu-central-2", "me-south-1", "me-central-1", "sa-east-1",
    "us-gov-east", "us-gov-west",
]  # fmt: skip
KmsKeyArn = Annotated[str, Field(pattern=r"^arn:aws:kms:[a-zA-Z0-9-]*:[0-9]{12}:key.+$")]
ExternalId = Annotated[str, Field(min_length=10, pattern=r"^[a-zA-Z0-9_+=,.@:/-]+$")]
IamRoleArn = Annotated[str, Field(min_length=12, pattern=r"^arn:aws:iam::[0-9]{12}:role.+$")]


class DatasourceConfigS3(_DatasourceBase):
    type: Literal["S3"]
    full_path: BucketPath
    s3_region: S3Region = Field(alias="s3Region")
    s3_access_key_id: NonEmpty = Field(alias="s3AccessKeyId")
    s3_secret_access_key: NonEmpty = Field(alias="s3SecretAccessKey")
    s3_server_side_encryption_kms_key: KmsKeyArn | None = Field(
        default=None, alias="s3ServerSideEncryptionKMSKey"
    )


class DatasourceConfigS3DelegatedAccess(_DatasourceBase):
    type: Literal["S3DelegatedAccess"]
    s3_region: S3Region = Field(alias="s3Region")
    s3_external_id: ExternalId = Field(alias="s3ExternalId")
    s3_arn: IamRoleArn = Field(alias="s3ARN")
    s3_server_side_encryption_kms_key: KmsKeyArn | None = Field(
        default=None, alias="s3ServerSideEncryptionKMSKey"
    )


class DatasourceConfigGCS(_DatasourceBase):
    type: Literal["GCS"]
    gcs_project_id: NonEmpty
    # The service-account JSON; Lightly allows an empty string here.
    gcs_credentials: str


class DatasourceConfigAzure(_DatasourceBase):
    type: Literal["AZURE"]
    account_name: NonEmpty
    account_key: NonEmpty


class DatasourceConfigLightly(_DatasourceBase):
    type: Literal["LIGHTLY"]


DatasourceConfig = Annotated[
    DatasourceConfigLocal
    | DatasourceConfigOBS
    | DatasourceConfigS3
    | DatasourceConfigS3DelegatedAccess
    | DatasourceConfigGCS
    | DatasourceConfigAzure
    | DatasourceConfigLightly,
    Field(discriminator="type"),
]

# Wire fields per datasource type that are secrets: encrypted at rest, masked on read.
DATASOURCE_SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "LOCAL": (),
    "OBS": ("obsSecretAccessKey",),
    "S3": ("s3SecretAccessKey",),
    "S3DelegatedAccess": (),
    "GCS": ("gcsCredentials",),
    "AZURE": ("accountKey",),
    "LIGHTLY": (),
}
SECRET_MASK = "***"
# The fields every datasource type has; the others are type-specific options or secrets.
DATASOURCE_BASE_FIELDS = frozenset({"id", "purpose", "type", "thumbSuffix", "fullPath"})
_config_adapter: TypeAdapter[DatasourceConfig] = TypeAdapter(DatasourceConfig)


def datasource_config_from_row(row: models.Datasource) -> DatasourceConfig:
    """The wire form of a stored datasource, its secrets masked."""
    wire: dict[str, Any] = {
        "id": row.id,
        "purpose": row.purpose,
        "type": row.type,
        "fullPath": row.full_path,
        **row.options,
        **{k: SECRET_MASK for k in DATASOURCE_SECRET_FIELDS[row.type]},
    }
    if row.thumb_suffix is not None:
        wire["thumbSuffix"] = row.thumb_suffix
    return _config_adapter.validate_python(wire)


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

    @classmethod
    def from_row(cls, row: models.ScheduledRun) -> ScheduledRunData:
        """The wire form of a scheduled run."""
        return cls(**columns_of(row, cls))


class RunArtifactData(WireResponse):
    id: ObjectId
    type: ArtifactType
    file_name: str
    storage_location: ArtifactStorageLocation | None = None
    created_at: Timestamp | None = None

    @classmethod
    def from_row(cls, row: models.RunArtifact) -> RunArtifactData:
        """The wire form of a run artifact."""
        return cls(**columns_of(row, cls))


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

    @classmethod
    def from_row(cls, row: models.Run, artifacts: Iterable[models.RunArtifact]) -> RunData:
        """The wire form of a run with its artifacts."""
        return cls(
            id=row.id,
            user_id=row.user_id,
            docker_version=row.docker_version,
            state=row.state,
            dataset_id=row.dataset_id,
            config_id=row.config_id,
            scheduled_id=row.scheduled_id,
            created_at=row.created_at,
            last_modified_at=row.last_modified_at,
            message=row.message,
            artifacts=[RunArtifactData.from_row(a) for a in artifacts],
        )


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

    @classmethod
    def from_row(cls, row: models.Tag) -> TagData:
        """The wire form of a tag."""
        return cls(**columns_of(row, cls))


BitMask = Annotated[str, Field(pattern=r"^0x[a-f0-9]+$")]


class TagCreateRequest(WireRequest):
    name: TagName
    prev_tag_id: ObjectId
    bit_mask_data: BitMask
    tot_size: int
    creator: TagCreator | None = None
    run_id: ObjectId | None = None
    # Accepted because Lightly's model has them; Winnow does not keep them.
    query_tag_id: ObjectId | None = None
    preselected_tag_id: ObjectId | None = None
    changes: list[dict[str, Any]] | None = None


class TagArithmeticsRequest(WireRequest):
    tag_id1: ObjectId = Field(alias="tagId1")
    tag_id2: ObjectId = Field(alias="tagId2")
    operation: Literal["UNION", "INTERSECTION", "DIFFERENCE"]
    new_tag_name: TagName | None = None
    creator: TagCreator | None = None
    run_id: ObjectId | None = None


class TagBitMaskResponse(WireResponse):
    bit_mask_data: BitMask


# --- datasource verification -------------------------------------------------------------


class DatasourceVerifyErrors(WireResponse):
    can_read: str | None = None
    can_write: str | None = None
    can_list: str | None = None
    can_overwrite: str | None = None


class DatasourceConfigVerifyData(WireResponse):
    can_read: bool
    can_write: bool
    can_list: bool
    can_overwrite: bool
    errors: DatasourceVerifyErrors | None = None

    @classmethod
    def from_checks(
        cls, results: dict[str, bool], errors: dict[str, str]
    ) -> DatasourceConfigVerifyData:
        """Each check's result (camelCase keys) and why those that failed did."""
        return cls.model_validate(
            {**results, "errors": DatasourceVerifyErrors.model_validate(errors) if errors else None}
        )


# --- collaboration ------------------------------------------------------------------------


class SharedAccessConfigCreateRequest(WireRequest):
    access_type: Literal["WRITE"]
    users: list[NonEmpty] | None = None
    teams: list[NonEmpty] | None = None
    creator: Creator | None = None


class SharedAccessConfigData(WireResponse):
    id: ObjectId
    owner: str
    access_type: Literal["WRITE"]
    users: list[str]
    teams: list[str]
    created_at: Timestamp
    last_modified_at: Timestamp

    @classmethod
    def from_row(cls, row: models.SharedAccessConfig) -> SharedAccessConfigData:
        """The wire form of a share config (``teams`` is required, so always a list)."""
        return cls(
            id=row.id,
            owner=row.owner,
            access_type="WRITE",
            users=list(row.users or []),
            teams=list(row.teams or []),
            created_at=row.created_at,
            last_modified_at=row.last_modified_at,
        )
