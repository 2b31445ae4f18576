"""The model code (torch and the worker's model modules) imported in a thread while a run starts.

Importing it takes about a second and a half of one core, and a run needs it only when it builds its
model, after the check. The pipeline imports without it (its stages import the model modules
when they need them), so a standalone run can check its files while this thread imports;
where the stage's own import comes first, it waits for this one (Python's import locks),
so nothing is imported twice or half.

Forks and this thread: a process forked while the thread imports would copy its locks as
held. The check's decode processes are forked before the thread starts
(``stages.checks.inspectors_forked_now``), and the caller waits for the thread
(:meth:`BackgroundImports.wait`) before any later stage that may fork.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

#: What a run imports to build and run its model.
MODEL_MODULES = ("winnow_gpu_worker.stages.model", "winnow_gpu_worker.ml.embed")


class BackgroundImports:
    """A daemon thread importing ``modules`` in order; :meth:`wait` joins it."""

    def __init__(self, modules: tuple[str, ...] = MODEL_MODULES) -> None:
        self.modules = modules
        self.failed: dict[str, str] = {}
        self._thread = threading.Thread(target=self._import, name="model-imports", daemon=True)

    def start(self) -> BackgroundImports:
        """Start importing; returns self."""
        self._thread.start()
        return self

    def wait(self) -> None:
        """Block until every module is imported (or failed; the stage that needs it then
        raises the ImportError itself)."""
        if self._thread.is_alive():
            self._thread.join()

    def _import(self) -> None:
        for name in self.modules:
            try:
                importlib.import_module(name)
            except Exception as exc:  # reported where the module is really needed
                self.failed[name] = repr(exc)
                log.debug("background import of %s failed: %r", name, exc)


@contextmanager
def model_imports_in_background(also: tuple[str, ...] = ()) -> Iterator[BackgroundImports]:
    """Import :data:`MODEL_MODULES` (then ``also``) in a thread for the block; waits for it
    on the way out."""
    imports = BackgroundImports((*MODEL_MODULES, *also)).start()
    try:
        yield imports
    finally:
        imports.wait()
