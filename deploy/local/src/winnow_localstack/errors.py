"""The one exception type the launcher raises for expected failures."""

from __future__ import annotations

from pathlib import Path


class StackError(RuntimeError):
    """A component failed; ``str()`` is a one-line message naming it and its log file."""

    def __init__(self, component: str, message: str, log: Path | None = None) -> None:
        self.component = component
        self.message = message
        self.log = log
        text = f"{component}: {message}"
        if log is not None:
            text += f" (log: {log})"
        super().__init__(text)
