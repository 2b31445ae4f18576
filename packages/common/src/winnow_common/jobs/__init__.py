"""[2] The queue contract: task names, queues, payloads, the Celery app factory."""

from winnow_common.jobs.names import Queue, TaskName
from winnow_common.jobs.payloads import ProcessRunJob, RenderReportJob

__all__ = ["ProcessRunJob", "Queue", "RenderReportJob", "TaskName"]
