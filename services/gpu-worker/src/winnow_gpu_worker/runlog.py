"""Collects a run attempt's log lines and stores them while it runs.

The lines become ``logs/attempt-NN.txt`` in the run's folder (flushed every
``RUN_LOG_FLUSH_INTERVAL_S`` and when the attempt ends, so a killed process loses at most the
last interval); ``log.txt`` (the LOG artifact) is composed from every attempt's file.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from winnow_common.lifecycle.runlog import write_attempt_log
from winnow_common.storage import DatasourceStore, RunKeys

_FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(_FORMAT.format(record))


@contextmanager
def capture_run_log(
    logger_names: tuple[str, ...] = ("winnow_gpu_worker", "winnow_common.lifecycle"),
) -> Iterator[list[str]]:
    """Capture INFO+ records of ``logger_names`` into a list while the block runs."""
    handler = _ListHandler()
    loggers = [logging.getLogger(name) for name in logger_names]
    previous = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        for logger, level in zip(loggers, previous, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


class AttemptLogFlusher:
    """Writes an attempt's lines to its log file every ``interval_s`` (a daemon thread)."""

    def __init__(
        self,
        store: DatasourceStore,
        keys: RunKeys,
        number: int,
        lines: list[str],
        interval_s: float,
    ) -> None:
        self.store, self.keys, self.number, self.lines = store, keys, number, lines
        self.interval_s = interval_s
        self._stopped = threading.Event()
        self._written = -1
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="attempt-log", daemon=True)

    def start(self) -> AttemptLogFlusher:
        """Start flushing; returns self."""
        self._thread.start()
        return self

    def flush(self) -> bool:
        """Write the lines now if they changed; False when storage refused."""
        with self._lock:
            count = len(self.lines)
            if count == self._written:
                return True
            ok = write_attempt_log(self.store, self.keys, self.number, list(self.lines[:count]))
            if ok:
                self._written = count
            return ok

    def stop(self) -> None:
        """Stop the thread and flush one last time."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval_s + 5)
        self.flush()

    def _loop(self) -> None:
        while not self._stopped.wait(self.interval_s):
            self.flush()
