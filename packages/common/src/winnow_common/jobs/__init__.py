"""[2] The queue contract: task names, queues, routing, payloads, the Celery app factory."""

from winnow_common.jobs.names import (
    MAX_WORKER_LABELS,
    InvalidLabels,
    Queue,
    TaskName,
    gpu_queue_for,
    gpu_queues_for_worker,
    message_priority,
    normalize_labels,
)
from winnow_common.jobs.payloads import (
    EmbedShardJob,
    PlatformJobMessage,
    ProcessRunJob,
    RenderReportJob,
)

__all__ = [
    "MAX_WORKER_LABELS",
    "EmbedShardJob",
    "InvalidLabels",
    "PlatformJobMessage",
    "ProcessRunJob",
    "Queue",
    "RenderReportJob",
    "TaskName",
    "gpu_queue_for",
    "gpu_queues_for_worker",
    "message_priority",
    "normalize_labels",
]
