"""The reporter's Celery app (consumes queue ``reports``)."""

from __future__ import annotations

from winnow_common.jobs.celery_app import create_celery_app

app = create_celery_app("winnow-reporter")
app.conf.include = ["winnow_reporter.tasks"]
