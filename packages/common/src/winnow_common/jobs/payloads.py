"""Task payloads: an id and nothing else. Everything else is read from Postgres / storage."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from winnow_common.schemas.base import ObjectId


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProcessRunJob(_Payload):
    """Process one scheduled run: the worker claims it and creates the run record."""

    scheduled_run_id: ObjectId


class RenderReportJob(_Payload):
    """Render the report of a run whose worker stage finished."""

    run_id: ObjectId


class PlatformJobMessage(_Payload):
    """Run one platform job (``/v1/jobs``): sampling on stored embeddings or a 2-D projection."""

    job_id: ObjectId


class EmbedShardJob(_Payload):
    """Embed (and commit) one shard of a scheduled run's EMBEDDING: the run and the index."""

    scheduled_run_id: ObjectId
    shard: int = Field(ge=0)
