"""The run page's live view, computed from a run snapshot and its attempts' log files.

Stages come from what exists, no extra record: the GPU attempts' log lines ``[STATE] message``
(each with its time), the report attempts' start and end, and the run's own times. A log line's
time is the worker's local clock; each attempt's first line is written as the attempt starts,
so the offset to the attempt's ``started_at`` (rounded to a quarter hour, as time zones are)
turns the lines into epoch milliseconds.
"""

from __future__ import annotations

import re
from calendar import timegm
from datetime import datetime
from typing import Any

from winnow_api.runs.service import RunSnapshot
from winnow_common.enums import RunState
from winnow_common.jobs import TaskName
from winnow_common.schemas.workers import RunAttemptData

LOG_TAIL_LINES = 200
_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ")
_STATE = re.compile(r"\[([A-Z_]+)\] ?(.*)$")
_QUARTER_HOUR_MS = 15 * 60 * 1000
_ORDER = [s.value for s in RunState]
_DONE_INDEX = _ORDER.index(RunState.COMPLETED.value)


def _clock_ms(line: str) -> int | None:
    m = _LINE.match(line)
    if m is None:
        return None
    naive = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
    return timegm(naive.timetuple()) * 1000 + int(m.group(2))


def _offset_ms(lines: list[str], started_at: int) -> int:
    """The worker clock's offset from UTC, from the attempt's first line."""
    for line in lines:
        clock = _clock_ms(line)
        if clock is not None:
            return round((started_at - clock) / _QUARTER_HOUR_MS) * _QUARTER_HOUR_MS
    return 0


def _gpu_stages(attempt: Any, lines: list[str]) -> list[dict[str, Any]]:
    offset = _offset_ms(lines, attempt.started_at)
    stages: list[dict[str, Any]] = []
    for line in lines:
        clock = _clock_ms(line)
        m = _STATE.search(line)
        if clock is None or m is None or m.group(1) not in _ORDER:
            continue
        at = clock + offset
        if stages and stages[-1]["state"] == m.group(1):  # progress within one stage
            stages[-1]["message"] = m.group(2)
            continue
        if stages:
            stages[-1]["end"] = at
        stages.append(
            {
                "state": m.group(1),
                "start": at,
                "end": None,
                "attempt": attempt.number,
                "message": m.group(2),
            }
        )
    if stages:
        stages[-1]["end"] = attempt.ended_at
    return stages


def stages(snap: RunSnapshot, logs: dict[int, list[str]]) -> list[dict[str, Any]]:
    """The run's stages in order: waiting in the queue, each state an attempt went through, the
    report, and the end state (``end`` None: still going)."""
    run, attempts = snap.run, snap.attempts
    first_start = attempts[0].started_at if attempts else None
    out: list[dict[str, Any]] = []
    if snap.scheduled is not None:
        out.append(
            {
                "state": "QUEUED",
                "start": snap.scheduled.created_at,
                "end": first_start,
                "attempt": None,
                "message": "Waiting for a worker",
            }
        )
    for attempt in attempts:
        if attempt.task == TaskName.RENDER_REPORT.value:
            out.append(
                {
                    "state": RunState.GENERATING_REPORT.value,
                    "start": attempt.started_at,
                    "end": attempt.ended_at,
                    "attempt": attempt.number,
                    "message": "Report",
                }
            )
        else:
            out.extend(_gpu_stages(attempt, logs.get(attempt.number, [])))
    if not RunState(run.state).is_terminal and (not out or out[-1]["state"] != run.state):
        # The attempt's log is flushed every RUN_LOG_FLUSH_INTERVAL_S: the live state leads it.
        out.append(
            {
                "state": run.state,
                "start": run.last_modified_at,
                "end": None,
                "attempt": None,
                "message": run.message,
            }
        )
    if RunState(run.state).is_terminal:
        ended = run.processing_ended_at or run.last_modified_at
        for stage in out:
            if stage["end"] is None:
                stage["end"] = ended
        out.append(
            {
                "state": run.state,
                "start": ended,
                "end": ended,
                "attempt": None,
                "message": run.message,
            }
        )
    return out


def progress(state: str) -> float:
    """How far along the pipeline's stages the run is, 0..1 (1 once it ended)."""
    if RunState(state).is_terminal:
        return 1.0
    return round(min(_ORDER.index(state), _DONE_INDEX) / _DONE_INDEX, 3)


def log_tail(snap: RunSnapshot, logs: dict[int, list[str]]) -> list[str]:
    """The last lines of the attempts' logs, each attempt after a header line."""
    lines: list[str] = []
    for attempt in snap.attempts:
        if attempt.number in logs:
            lines.append(f"----- attempt {attempt.number}: {attempt.task} on {attempt.holder}")
            lines.extend(logs[attempt.number])
    return lines[-LOG_TAIL_LINES:]


def payload(snap: RunSnapshot, logs: dict[int, list[str]]) -> dict[str, Any]:
    """The JSON of one ``run`` event."""
    run = snap.run
    return {
        "id": run.id,
        "state": run.state,
        "message": run.message,
        "ended": RunState(run.state).is_terminal,
        "progress": progress(run.state),
        "priority": snap.scheduled.priority if snap.scheduled is not None else None,
        "scheduledId": run.scheduled_id,
        "datasetId": run.dataset_id,
        "createdAt": run.created_at,
        "lastModifiedAt": run.last_modified_at,
        "processingStartedAt": run.processing_started_at,
        "processingEndedAt": run.processing_ended_at,
        "worker": (
            {"id": snap.worker.id, "name": snap.worker.name, "labels": list(snap.worker.labels)}
            if snap.worker is not None
            else None
        ),
        "attempts": [
            RunAttemptData.from_row(a).model_dump(mode="json", by_alias=True, exclude_none=True)
            for a in snap.attempts
        ],
        "stages": stages(snap, logs),
        "logTail": log_tail(snap, logs),
    }
