"""Database layer: declarative base, models, sessions."""

from winnow_common.db.base import Base
from winnow_common.db.models import (
    ApiToken,
    Dataset,
    Datasource,
    Run,
    RunArtifact,
    Sample,
    ScheduledRun,
    Tag,
    User,
    WorkerConfig,
)

__all__ = [
    "ApiToken",
    "Base",
    "Dataset",
    "Datasource",
    "Run",
    "RunArtifact",
    "Sample",
    "ScheduledRun",
    "Tag",
    "User",
    "WorkerConfig",
]
