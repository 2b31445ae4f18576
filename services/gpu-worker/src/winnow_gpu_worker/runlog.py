"""Collects a run's log lines so they can be stored as its ``log.txt`` (LOG artifact)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

_FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(_FORMAT.format(record))


@contextmanager
def capture_run_log(logger_name: str = "winnow_gpu_worker") -> Iterator[list[str]]:
    """Capture INFO+ records of ``logger_name`` into a list while the block runs."""
    handler = _ListHandler()
    logger = logging.getLogger(logger_name)
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
