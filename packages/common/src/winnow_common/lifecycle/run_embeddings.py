"""A run's embeddings become an embedding of its dataset (lightly's worker uploads its own).

The row points at the run's ``data/embeddings.csv`` in the dataset's LIGHTLY datasource
(``storage_location`` LIGHTLY): every input file the run embedded, a superset of the samples it
added to the dataset, so a reader that needs samples keeps only the rows whose file names are
samples. It is named like lightly's worker names its embedding, ``default_<UTC time of the
run's creation, %Y%m%d_%Hh%Mm%Ss>_<run id>``, so ``download_embeddings_csv`` (the newest
embedding whose name starts with ``default``) returns the latest run's CSV.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from winnow_common.db.models import Embedding, Run
from winnow_common.db.repositories import embeddings as embedding_repo
from winnow_common.storage.keys import RunKeys
from winnow_common.storage.platform import LIGHTLY


def run_embedding_name(run: Run) -> str:
    """``default_<%Y%m%d_%Hh%Mm%Ss of the run's creation, UTC>_<run id>`` (unique per run)."""
    stamp = datetime.fromtimestamp(run.created_at / 1000, tz=UTC).strftime("%Y%m%d_%Hh%Mm%Ss")
    return f"default_{stamp}_{run.id}"


def register_run_embedding(session: Session, run: Run) -> Embedding:
    """Add the run's embedding to its dataset once; a retried recording finds the first row."""
    existing = embedding_repo.of_run(session, run.id)
    if existing is not None:
        return existing
    embedding = Embedding(
        dataset_id=run.dataset_id,
        name=run_embedding_name(run),
        run_id=run.id,
        storage_location=LIGHTLY,
        storage_key=RunKeys.for_run(run.id).embeddings_csv,
        is_processed=True,
    )
    embedding_repo.add(session, embedding)
    return embedding
