"""What the pipeline asks of its host: the Celery task answers from the database, the CLI cannot.

The pipeline itself has no database access; anything that needs one (another run's checkpoint,
a tag of a dataset as a SIMILARITY query set) comes through these callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from winnow_common.errors import PipelineError


@dataclass(frozen=True)
class QuerySet:
    """The samples of a tag: filenames relative to their dataset's INPUT root and a reader."""

    filenames: list[str]
    read: Callable[[str], bytes]
    description: str


@dataclass(frozen=True)
class PipelineHooks:
    """Callbacks into the host. ``None`` means the host cannot answer (standalone mode)."""

    checkpoint_of_run: Callable[[str], bytes] | None = None
    query_set: Callable[[str, str], QuerySet] | None = None
    #: Told the run's embeddings once EMBEDDING has them (the CLI starts the report's 2-D
    #: projections then, while the run selects and saves).
    embeddings_ready: Callable[[np.ndarray], None] | None = None

    def run_checkpoint(self, run_id: str) -> bytes:
        """The CHECKPOINT artifact of an earlier run (``checkpoint_run_id``)."""
        if self.checkpoint_of_run is None:
            raise PipelineError("checkpoint_run_id needs the Winnow server; use checkpoint=PATH")
        return self.checkpoint_of_run(run_id)

    def tag_query_set(self, dataset_id: str, tag_name: str) -> QuerySet:
        """The SIMILARITY query set named by ``datasetId`` + ``tagName``."""
        if self.query_set is None:
            raise PipelineError(
                "SIMILARITY with datasetId/tagName needs the Winnow server (tags live there)"
            )
        return self.query_set(dataset_id, tag_name)
