"""Celery entry points of the reporter."""

from __future__ import annotations

from winnow_common.jobs import RenderReportJob, TaskName
from winnow_reporter.celery_app import app
from winnow_reporter.service import render_run_report


@app.task(name=TaskName.RENDER_REPORT.value)
def render_report(run_id: str) -> None:
    """Render one run's report; the payload is the run id only."""
    render_run_report(RenderReportJob(run_id=run_id).run_id)
