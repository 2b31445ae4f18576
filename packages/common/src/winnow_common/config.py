"""Settings, one class per concern, each with its own env-var prefix.

Every environment variable that docker-compose.yml, deploy/ or the local stack sets is a field
of one of these classes (a contract test checks it).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "winnow-dev-secret-change-me"


class DatabaseSettings(BaseSettings):
    """PostgreSQL connection (``DATABASE_URL``)."""

    model_config = SettingsConfigDict(env_prefix="DATABASE_", extra="ignore")

    url: str = Field(
        default="postgresql+psycopg://winnow:winnow@127.0.0.1:5432/winnow",
        description="SQLAlchemy URL of the Postgres database (driver psycopg 3).",
    )
    pool_size: int = Field(default=5, ge=1, description="Connections kept open per process.")


class RedisSettings(BaseSettings):
    """Redis connection used as the Celery broker (``REDIS_URL``)."""

    model_config = SettingsConfigDict(env_prefix="REDIS_", extra="ignore")

    url: str = Field(default="redis://127.0.0.1:6379/0", description="Redis URL (Celery broker).")


class S3Settings(BaseSettings):
    """The cluster's S3-compatible object store (MinIO in compose, SeaweedFS locally).

    ``S3_ENDPOINT_URL`` is also the endpoint used for datasources of type ``S3`` (the lightly
    client cannot send an endpoint for that type); ``OBS`` datasources carry their own endpoint.
    """

    model_config = SettingsConfigDict(env_prefix="S3_", extra="ignore")

    endpoint_url: str | None = Field(
        default=None, description="S3 API endpoint; unset means AWS S3 itself."
    )
    access_key_id: str = Field(default="", description="Access key of the cluster's store.")
    secret_access_key: SecretStr = Field(
        default=SecretStr(""), description="Secret key of the cluster's store."
    )
    region: str = Field(default="us-east-1", description="Region name sent to the S3 API.")
    input_bucket: str = Field(default="winnow-input", description="Bucket for INPUT data.")
    lightly_bucket: str = Field(
        default="winnow-lightly", description="Bucket for LIGHTLY outputs (results, reports)."
    )


class GcsSettings(BaseSettings):
    """Where ``GCS`` datasources are read (the lightly client cannot send an endpoint for GCS)."""

    model_config = SettingsConfigDict(env_prefix="GCS_", extra="ignore")

    endpoint_url: str | None = Field(
        default=None,
        description="GCS JSON API endpoint (an emulator); unset means Google Cloud Storage.",
    )


class AzureSettings(BaseSettings):
    """Where ``AZURE`` datasources are read (the lightly client cannot send an endpoint)."""

    model_config = SettingsConfigDict(env_prefix="AZURE_", extra="ignore")

    blob_endpoint: str | None = Field(
        default=None,
        description=(
            "Blob service base URL (e.g. Azurite's); the account URL is this plus "
            "'/<accountName>', or the value with '{account}' replaced. Unset means "
            "https://<accountName>.blob.core.windows.net."
        ),
    )


class ApiSettings(BaseSettings):
    """The HTTP control plane."""

    model_config = SettingsConfigDict(env_prefix="API_", extra="ignore")

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL clients reach the API under; signed download URLs start with it.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(_DEV_SECRET),
        description="Key for signed download URLs and for encrypting datasource secrets.",
    )
    signed_url_ttl_s: int = Field(
        default=3600, ge=1, description="Lifetime of a signed download URL in seconds."
    )
    environment: str = Field(
        default="development", description="'development' allows the built-in dev secret."
    )

    @model_validator(mode="after")
    def _refuse_dev_secret_outside_development(self) -> ApiSettings:
        if self.environment != "development" and self.secret_key.get_secret_value() == _DEV_SECRET:
            raise ValueError("API_SECRET_KEY must be set outside development")
        return self


class CelerySettings(BaseSettings):
    """Queue behaviour for long GPU jobs."""

    model_config = SettingsConfigDict(env_prefix="CELERY_", extra="ignore")

    task_soft_time_limit_s: int = Field(default=6 * 3600, ge=1, description="Soft limit per task.")
    task_time_limit_s: int = Field(default=6 * 3600 + 300, ge=1, description="Hard limit per task.")
    visibility_timeout_s: int = Field(
        default=7 * 3600, ge=1, description="Redis visibility timeout; above the longest job."
    )


class WorkerSettings(BaseSettings):
    """The GPU worker's runtime knobs."""

    model_config = SettingsConfigDict(env_prefix="WORKER_", extra="ignore")

    device: str = Field(default="auto", description="'auto' (CUDA when present), 'cpu' or 'cuda'.")
    batch_size: int = Field(default=64, ge=1, description="Images per embedding batch.")
    num_loader_workers: int = Field(
        default=2, ge=0, description="DataLoader decode processes (0 decodes in the task process)."
    )
    input_size: int = Field(default=64, ge=16, description="Side length images are resized to.")
    default_model: Literal["pretrained", "random"] = Field(
        default="pretrained",
        description=(
            "The embedding model of a run without a checkpoint and without training: "
            "'pretrained' (EfficientNet-Lite0 ImageNet weights shipped in a package, 128 px "
            "unless lightly.collate.inputSize is set) or 'random' (lightly's resnet-18 with "
            "seeded random weights)."
        ),
    )
    local_datasource_root: str = Field(
        default="/",
        description="Directory LOCAL datasource paths resolve under (no escaping it with '..').",
    )
    id: str | None = Field(
        default=None,
        description=(
            "Id of a registered worker (POST /v1/docker/worker): the process takes that "
            "worker's labels, reports its state and is recorded on the runs it claims."
        ),
    )
    labels: str = Field(
        default="",
        description=(
            "Comma-separated labels for a worker that is not registered (exclusive with "
            "WORKER_ID); it then takes runs whose runsOn is a subset of them."
        ),
    )
    embed_shard_size: int = Field(
        default=1024,
        ge=1,
        description=(
            "Images per embedding shard: EMBEDDING commits its embeddings shard by shard, so a "
            "retried attempt recomputes at most the shard that was in flight."
        ),
    )
    embed_fanout: Literal["off", "auto", "on"] = Field(
        default="auto",
        description=(
            "Spread one run's EMBEDDING over the GPU workers of its queue (a Celery chord of "
            "one task per shard): 'auto' when another matching worker is idle, 'on' whenever "
            "the run has several shards left, 'off' never."
        ),
    )
    crash_hook_state: str | None = Field(
        default=None,
        description=(
            "Test hook: the worker process kills itself (SIGKILL) when a run enters this state "
            "(e.g. EMBEDDING). Never set it in production."
        ),
    )

    @model_validator(mode="after")
    def _id_or_labels(self) -> WorkerSettings:
        if self.id and self.labels.strip():
            raise ValueError(
                "set WORKER_ID (labels come from the registered worker) or WORKER_LABELS, not both"
            )
        return self

    def label_list(self) -> list[str]:
        """``WORKER_LABELS`` split on commas, blanks dropped."""
        return [part.strip() for part in self.labels.split(",") if part.strip()]


class RunSettings(BaseSettings):
    """Run leases, heartbeats, attempts and outage retries (GPU worker, reporter, reconciler).

    A process that claims a run holds a lease that its heartbeat renews every
    ``heartbeat_interval_s``; a lease not renewed for ``lease_timeout_s`` has expired and the
    reconciler queues the run again, at most ``max_attempts`` times for crashes.
    """

    model_config = SettingsConfigDict(env_prefix="RUN_", extra="ignore")

    lease_timeout_s: float = Field(
        default=30.0, gt=0, description="A lease not renewed for this long has expired."
    )
    heartbeat_interval_s: float = Field(
        default=5.0, gt=0, description="How often a process renews its lease and lastSeen."
    )
    max_attempts: int = Field(
        default=3,
        ge=1,
        description="Attempts that may crash (lease expired, outage) before the run is FAILED.",
    )
    shutdown_grace_s: float = Field(
        default=20.0,
        gt=0,
        description="On SIGTERM, the longest a worker takes to hand its run back and exit.",
    )
    outage_retry_s: float = Field(
        default=300.0,
        ge=0,
        description="How long a database, broker or storage outage is retried with backoff.",
    )
    log_flush_interval_s: float = Field(
        default=10.0, gt=0, description="How often a running attempt writes its log to storage."
    )

    @model_validator(mode="after")
    def _heartbeat_inside_lease(self) -> RunSettings:
        if self.heartbeat_interval_s * 2 > self.lease_timeout_s:
            raise ValueError(
                "RUN_HEARTBEAT_INTERVAL_S must be at most half of RUN_LEASE_TIMEOUT_S "
                "(a lease must survive one missed heartbeat)"
            )
        return self


class ReconcilerSettings(BaseSettings):
    """The reconciler loop: re-queues runs whose lease expired or whose message is gone."""

    model_config = SettingsConfigDict(env_prefix="RECONCILER_", extra="ignore")

    interval_s: float = Field(default=5.0, gt=0, description="Seconds between two passes.")
    republish_grace_s: float = Field(
        default=30.0,
        ge=0,
        description=(
            "A waiting run whose message is missing from the broker is published again once "
            "its last publication is older than this."
        ),
    )


@lru_cache
def run_settings() -> RunSettings:
    """Cached run lifecycle settings read from the environment."""
    return RunSettings()


@lru_cache
def reconciler_settings() -> ReconcilerSettings:
    """Cached reconciler settings read from the environment."""
    return ReconcilerSettings()


@lru_cache
def database_settings() -> DatabaseSettings:
    """Cached database settings read from the environment."""
    return DatabaseSettings()


@lru_cache
def redis_settings() -> RedisSettings:
    """Cached Redis settings read from the environment."""
    return RedisSettings()


@lru_cache
def s3_settings() -> S3Settings:
    """Cached S3 settings read from the environment."""
    return S3Settings()


@lru_cache
def gcs_settings() -> GcsSettings:
    """Cached GCS settings read from the environment."""
    return GcsSettings()


@lru_cache
def azure_settings() -> AzureSettings:
    """Cached Azure settings read from the environment."""
    return AzureSettings()


@lru_cache
def api_settings() -> ApiSettings:
    """Cached API settings read from the environment."""
    return ApiSettings()


class ReporterSettings(BaseSettings):
    """The reporter's knobs: sample sizes for the embedding analysis and annotation prices.

    Savings (documented in the README): for each task type, ``cost = nRemoved x label cost``
    and ``co2 = nRemoved x label seconds / 3600 x kg CO2 per annotator hour``.
    """

    model_config = SettingsConfigDict(env_prefix="REPORT_", extra="ignore")

    analysis_points: int = Field(
        default=2000, ge=10, description="Seeded sample of each set for distance distributions."
    )
    scatter_points: int = Field(
        default=2000, ge=10, description="Seeded sample of the input for the PCA/UMAP plots."
    )
    random_seed: int = Field(default=0, description="Seed of every sample and random baseline.")
    cost_classification: float = Field(
        default=0.05, ge=0, description="USD to label one image for classification."
    )
    cost_detection: float = Field(
        default=0.60, ge=0, description="USD to label one image with bounding boxes."
    )
    cost_segmentation: float = Field(
        default=6.00, ge=0, description="USD to label one image with segmentation masks."
    )
    seconds_classification: float = Field(
        default=5, ge=0, description="Annotator seconds per image for classification."
    )
    seconds_detection: float = Field(
        default=60, ge=0, description="Annotator seconds per image for bounding boxes."
    )
    seconds_segmentation: float = Field(
        default=600, ge=0, description="Annotator seconds per image for segmentation masks."
    )
    co2_kg_per_hour: float = Field(
        default=0.1, ge=0, description="kg CO2 per annotator hour (workstation and office)."
    )


@lru_cache
def reporter_settings() -> ReporterSettings:
    """Cached reporter settings read from the environment."""
    return ReporterSettings()


@lru_cache
def celery_settings() -> CelerySettings:
    """Cached Celery settings read from the environment."""
    return CelerySettings()


@lru_cache
def worker_settings() -> WorkerSettings:
    """Cached worker settings read from the environment."""
    return WorkerSettings()


ALL_SETTINGS_CLASSES: tuple[type[BaseSettings], ...] = (
    DatabaseSettings,
    RedisSettings,
    S3Settings,
    GcsSettings,
    AzureSettings,
    ApiSettings,
    CelerySettings,
    WorkerSettings,
    ReporterSettings,
    RunSettings,
    ReconcilerSettings,
)


def settings_env_vars() -> set[str]:
    """Every environment variable name some settings class reads."""
    names: set[str] = set()
    for cls in ALL_SETTINGS_CLASSES:
        prefix = str(cls.model_config.get("env_prefix", ""))
        names.update(f"{prefix}{field}".upper() for field in cls.model_fields)
    return names
