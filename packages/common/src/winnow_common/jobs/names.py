"""Stable task names and queues. Routing is by name prefix."""

from __future__ import annotations

from enum import StrEnum


class Queue(StrEnum):
    GPU = "gpu"
    REPORTS = "reports"


class TaskName(StrEnum):
    PROCESS_RUN = "gpu.process_run"
    RENDER_REPORT = "reports.render_report"


TASK_ROUTES = {"gpu.*": {"queue": Queue.GPU.value}, "reports.*": {"queue": Queue.REPORTS.value}}
