"""Tables. Singular snake_case names, ``_at`` timestamps in epoch ms, ObjectId keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from winnow_common.db.base import Base, ObjectIdMixin, TimestampMixin
from winnow_common.enums import (
    ArtifactStorageLocation,
    ArtifactType,
    ComputeWorkerState,
    DatasetType,
    ImageType,
    RunState,
    SampleType,
    ScheduledRunPriority,
    ScheduledRunState,
)
from winnow_common.ids import now_ms


class User(ObjectIdMixin, TimestampMixin, Base):
    __tablename__ = "user"

    email: Mapped[str] = mapped_column(String(320), unique=True)


class ApiToken(ObjectIdMixin, TimestampMixin, Base):
    """An API token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Dataset(ObjectIdMixin, TimestampMixin, Base):
    __tablename__ = "dataset"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(256))
    type: Mapped[str] = mapped_column(String(16), default=DatasetType.IMAGES.value)
    img_type: Mapped[str] = mapped_column(String(16), default=ImageType.FULL.value)
    # Lightly's ``processedUntilTimestamp`` (epoch seconds): how far ``download_new_raw_samples``
    # has read the datasource.
    processed_until_timestamp: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default=text("0")
    )
    # The dataset a ``Crops`` dataset's objects were cut from (Lightly's ``parentDatasetId``).
    # SET NULL: deleting the images keeps the crops a user may still be labeling.
    parent_dataset_id: Mapped[str | None] = mapped_column(
        ForeignKey("dataset.id", ondelete="SET NULL"), nullable=True
    )


class Datasource(ObjectIdMixin, TimestampMixin, Base):
    """One datasource config per (dataset, purpose). Secrets are Fernet-encrypted JSON."""

    __tablename__ = "datasource"
    __table_args__ = (UniqueConstraint("dataset_id", "purpose"),)

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(32))
    full_path: Mapped[str] = mapped_column(Text)
    thumb_suffix: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Non-secret, type-specific wire fields (e.g. obsEndpoint, s3Region), camelCase keys.
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Secret wire fields (e.g. obsSecretAccessKey), encrypted as one JSON document.
    secrets_encrypted: Mapped[str] = mapped_column(Text, default="")


class WorkerConfig(ObjectIdMixin, TimestampMixin, Base):
    """A validated worker config, stored as the camelCase V4 document that was sent."""

    __tablename__ = "worker_config"

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(8))
    config: Mapped[dict[str, Any]] = mapped_column(JSONB)


class ScheduledRun(ObjectIdMixin, TimestampMixin, Base):
    __tablename__ = "scheduled_run"

    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    config_id: Mapped[str] = mapped_column(ForeignKey("worker_config.id"))
    priority: Mapped[str] = mapped_column(String(16), default=ScheduledRunPriority.MID.value)
    runs_on: Mapped[list[str]] = mapped_column(JSONB, default=list)
    state: Mapped[str] = mapped_column(String(16), default=ScheduledRunState.OPEN.value)
    # When its ``gpu.process_run`` message was last sent (the reconciler re-sends lost ones).
    published_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True, default=now_ms)


class ComputeWorker(ObjectIdMixin, TimestampMixin, Base):
    """A registered worker (Lightly's ``DockerWorkerRegistryEntry``); names are unique per user.

    A worker process started with this id consumes the queues of its labels, so a scheduled run
    whose ``runs_on`` labels it holds can reach it.
    """

    __tablename__ = "compute_worker"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(256))
    worker_type: Mapped[str] = mapped_column(String(16), default="FULL")
    state: Mapped[str] = mapped_column(String(16), default=ComputeWorkerState.OFFLINE.value)
    labels: Mapped[list[str]] = mapped_column(JSONB, default=list)
    docker_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The last heartbeat of a worker process started with this id (None: never started).
    last_seen_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class SharedAccessConfig(ObjectIdMixin, TimestampMixin, Base):
    """Who a dataset is shared with (one WRITE config per dataset; sharing replaces users)."""

    __tablename__ = "shared_access_config"
    __table_args__ = (UniqueConstraint("dataset_id", "access_type"),)

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    owner: Mapped[str] = mapped_column(String(24))
    access_type: Mapped[str] = mapped_column(String(16), default="WRITE")
    users: Mapped[list[str]] = mapped_column(JSONB, default=list)
    teams: Mapped[list[str]] = mapped_column(JSONB, default=list)


class Run(ObjectIdMixin, TimestampMixin, Base):
    """A run a worker picked up (Lightly's ``DockerRun``)."""

    __tablename__ = "run"

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), index=True
    )
    config_id: Mapped[str] = mapped_column(ForeignKey("worker_config.id"))
    scheduled_id: Mapped[str] = mapped_column(
        ForeignKey("scheduled_run.id", ondelete="CASCADE"), unique=True
    )
    docker_version: Mapped[str] = mapped_column(String(32))
    # The registered worker that picked the run up (None: a worker started without an id).
    worker_id: Mapped[str | None] = mapped_column(
        ForeignKey("compute_worker.id", ondelete="SET NULL"), nullable=True
    )
    state: Mapped[str] = mapped_column(String(40), default=RunState.STARTED.value)
    message: Mapped[str] = mapped_column(Text, default="")
    # Whether embeddings came from a trained/loaded model (False: random init, said in report).
    model_trained: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    model_description: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_type: Mapped[str | None] = mapped_column(String(128), nullable=True)
    error_detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    processing_started_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    processing_ended_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # When its ``reports.render_report`` message was last sent (None: not yet).
    report_published_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class RunAttempt(ObjectIdMixin, Base):
    """One attempt at a stage of a run, and while it lasts the lease on the run.

    The attempt whose ``ended_at`` is NULL is the run's lease: at most one exists per run
    (partial unique index), its holder renews ``expires_at`` from a heartbeat, and every write
    of the holder to the run is fenced by the attempt still being open. ``number`` counts the
    run's attempts over both stages (``task``: the GPU stage or the report).
    """

    __tablename__ = "run_attempt"
    __table_args__ = (
        UniqueConstraint("run_id", "number"),
        Index(
            "uq_run_attempt_open_run_id",
            "run_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    task: Mapped[str] = mapped_column(String(40))
    # Which process holds it: Celery node name (or host) and pid.
    holder: Mapped[str] = mapped_column(String(256))
    worker_id: Mapped[str | None] = mapped_column(
        ForeignKey("compute_worker.id", ondelete="SET NULL"), nullable=True
    )
    started_at: Mapped[int] = mapped_column(BigInteger)
    heartbeat_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    ended_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The run state the attempt ended in, and why it ended (for the run's log and message).
    stage: Mapped[str | None] = mapped_column(String(40), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


class RunArtifact(ObjectIdMixin, Base):
    __tablename__ = "run_artifact"
    __table_args__ = (UniqueConstraint("run_id", "type"),)

    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(40), default=ArtifactType.LOG.value)
    file_name: Mapped[str] = mapped_column(Text)
    # Key relative to the LIGHTLY datasource root.
    storage_key: Mapped[str] = mapped_column(Text)
    storage_location: Mapped[str] = mapped_column(
        String(16), default=ArtifactStorageLocation.LIGHTLY.value
    )
    created_at: Mapped[int] = mapped_column(BigInteger)


class Sample(ObjectIdMixin, Base):
    """A sample in a dataset; ``idx`` is its bit position in tag bitmasks."""

    __tablename__ = "sample"
    __table_args__ = (
        UniqueConstraint("dataset_id", "file_name"),
        UniqueConstraint("dataset_id", "idx"),
    )

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(Text)
    idx: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # The user's custom metadata entry for this sample (``upload_custom_metadata``), as sent.
    custom_meta_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    # IMAGE: a file of the INPUT datasource; VIDEO_FRAME and CROP: an image a run extracted
    # into the LIGHTLY datasource (``storage.keys.frame_image_key`` / ``crop_image_key``).
    type: Mapped[str] = mapped_column(
        String(16), default=SampleType.IMAGE.value, server_default=SampleType.IMAGE.value
    )
    # The wire ``videoFrameData`` / ``cropData`` objects as sent (camelCase keys), or None.
    video_frame_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    crop_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)


class Tag(ObjectIdMixin, TimestampMixin, Base):
    __tablename__ = "tag"
    __table_args__ = (
        UniqueConstraint("dataset_id", "name"),
        # A run records one selection tag per dataset (its own, and an object-level run's crops
        # dataset): a retried result-recording cannot add a second one.
        # (Other tags may name the run too: ``runId`` of a user's tag.)
        Index(
            "uq_tag_run_id_dataset_id_run_selection",
            "run_id",
            "dataset_id",
            unique=True,
            postgresql_where=text("run_selection"),
        ),
    )

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    run_id: Mapped[str | None] = mapped_column(
        ForeignKey("run.id", ondelete="SET NULL"), nullable=True
    )
    prev_tag_id: Mapped[str | None] = mapped_column(String(24), nullable=True)
    name: Mapped[str] = mapped_column(String(256))
    bit_mask_data: Mapped[str] = mapped_column(Text)
    tot_size: Mapped[int] = mapped_column(Integer)
    # The tag a worker run recorded its selection in (not on the wire).
    run_selection: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Embedding(ObjectIdMixin, TimestampMixin, Base):
    """An embeddings CSV of a dataset (lightly's ``DatasetEmbeddingData``).

    Uploaded through ``writeCSVUrl`` (kept in the cluster's store) or written by a run (kept in
    the dataset's LIGHTLY datasource, ``run_id`` set); ``storage_location`` says which.
    """

    __tablename__ = "embedding"
    __table_args__ = (UniqueConstraint("dataset_id", "name"),)

    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(256))
    run_id: Mapped[str | None] = mapped_column(
        ForeignKey("run.id", ondelete="SET NULL"), nullable=True
    )
    # PLATFORM: the cluster's store; LIGHTLY: the dataset's LIGHTLY datasource.
    storage_location: Mapped[str] = mapped_column(String(16), default="PLATFORM")
    storage_key: Mapped[str] = mapped_column(Text)
    # Whether its CSV has arrived and been read (samples created); set by the upload.
    is_processed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Where its 2-D projection lies, once ``trigger2dEmbeddingsJob`` computed it.
    projection_key: Mapped[str | None] = mapped_column(Text, nullable=True)


class Job(ObjectIdMixin, TimestampMixin, Base):
    """A platform job (sampling on stored embeddings, a 2-D projection): lightly's ``/v1/jobs``."""

    __tablename__ = "job"

    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # lightly's JobResultType: SAMPLING, EMBEDDINGS2D.
    type: Mapped[str] = mapped_column(String(32))
    # lightly's JobState: WAITING, RUNNING, FAILED, FINISHED.
    state: Mapped[str] = mapped_column(String(16), default="WAITING")
    # What was asked (the request body and the ids it names).
    request: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # What came out (e.g. the created tag's id), lightly's ``JobStatusDataResult.data``.
    result: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # When its Celery message was last sent.
    published_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ActiveLearningScore(ObjectIdMixin, TimestampMixin, Base):
    """Scores of a tag's samples (``upload_scores``), one list per score type, in tag order."""

    __tablename__ = "active_learning_score"
    __table_args__ = (UniqueConstraint("tag_id", "score_type"),)

    tag_id: Mapped[str] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), index=True)
    score_type: Mapped[str] = mapped_column(String(256))
    scores: Mapped[list[float]] = mapped_column(JSONB, default=list)


class MetadataConfiguration(ObjectIdMixin, TimestampMixin, Base):
    """A custom metadata configuration (the Configurator; ``create_custom_metadata_config``)."""

    __tablename__ = "metadata_configuration"

    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(256))
    # lightly's ConfigurationEntry list, camelCase as sent.
    configs: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
