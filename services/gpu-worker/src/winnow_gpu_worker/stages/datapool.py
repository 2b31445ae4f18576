"""Datapool: remember what earlier runs of a dataset processed and selected.

State lives in the LIGHTLY datasource: ``.lightly/datapool/processed_filenames.txt`` (every
input file an earlier run looked at) and ``.lightly/datapool/datapool_latest.csv`` (the
embeddings of every sample selected so far, lightly's CSV format). A later run only processes
new files (unless ``datasource.process_all``), counts the datapool's samples as already
selected for DIVERSITY, and then adds its own selection to the pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from winnow_common.embeddings_csv import read_embeddings_csv, write_embeddings_csv
from winnow_common.errors import StorageError
from winnow_common.storage import DatasourceStore
from winnow_common.storage.keys import DATAPOOL_KEY, DATAPOOL_PROCESSED_KEY


@dataclass
class Datapool:
    processed: set[str] = field(default_factory=set)
    filenames: list[str] = field(default_factory=list)
    embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))

    def __len__(self) -> int:
        return len(self.filenames)


def _read_optional(store: DatasourceStore, key: str) -> bytes | None:
    if key not in set(store.list_files(key.rsplit("/", 1)[0])):
        return None
    return store.read(key)


def load_datapool(store: DatasourceStore) -> Datapool:
    """The pool as earlier runs left it (empty on the first run)."""
    pool = Datapool()
    processed = _read_optional(store, DATAPOOL_PROCESSED_KEY)
    if processed:
        pool.processed = {line for line in processed.decode().splitlines() if line}
    selected = _read_optional(store, DATAPOOL_KEY)
    if selected:
        pool.filenames, pool.embeddings, _ = read_embeddings_csv(selected)
    return pool


def update_datapool(
    store: DatasourceStore,
    pool: Datapool,
    processed: list[str],
    selected: list[str],
    selected_embeddings: np.ndarray,
) -> None:
    """Add this run's processed files and selected samples to the pool."""
    names = list(pool.filenames)
    rows = [pool.embeddings] if len(pool) else []
    known = set(names)
    new = [i for i, name in enumerate(selected) if name not in known]
    names += [selected[i] for i in new]
    rows.append(selected_embeddings[new])
    embeddings = np.concatenate(rows) if rows else selected_embeddings[:0]
    if len(pool) and embeddings.shape[1] != pool.embeddings.shape[1]:
        raise StorageError("the datapool's embeddings have another dimension than this run's")
    store.write(DATAPOOL_KEY, write_embeddings_csv(names, embeddings), "text/csv")
    all_processed = sorted(pool.processed | set(processed))
    store.write(
        DATAPOOL_PROCESSED_KEY, "".join(f"{n}\n" for n in all_processed).encode(), "text/plain"
    )
