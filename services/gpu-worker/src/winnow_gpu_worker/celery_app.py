"""The GPU worker's Celery app (consumes queue ``gpu``; the queue is chosen on the command line)."""

from __future__ import annotations

from winnow_common.jobs.celery_app import create_celery_app

app = create_celery_app("winnow-gpu-worker")
app.conf.include = ["winnow_gpu_worker.tasks"]
