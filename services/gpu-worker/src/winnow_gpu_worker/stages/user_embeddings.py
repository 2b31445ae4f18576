"""``embeddings``: select from a user-provided embeddings CSV instead of embedding."""

from __future__ import annotations

import numpy as np

from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.errors import PipelineError
from winnow_common.storage import DatasourceStore
from winnow_common.storage.keys import USER_EMBEDDINGS_PREFIX


def user_embeddings_key(name: str) -> str:
    """Custom embeddings live in ``.lightly/embeddings/`` of the LIGHTLY datasource."""
    if name.startswith("/") or ".." in name.split("/"):
        raise PipelineError(f"embeddings {name!r} must be a relative path without '..'")
    return name if name.startswith(".lightly/") else f"{USER_EMBEDDINGS_PREFIX}{name}"


def load_user_embeddings(
    store: DatasourceStore, name: str, filenames: list[str]
) -> tuple[list[str], np.ndarray]:
    """Rows of the CSV for ``filenames`` (in that order); every file must have a row."""
    key = user_embeddings_key(name)
    try:
        names, embeddings, _ = read_embeddings_csv(store.read(key))
    except ValueError as exc:
        raise PipelineError(
            f"embeddings file {key!r} is not a valid embeddings CSV: {exc}"
        ) from exc
    except Exception as exc:
        raise PipelineError(f"embeddings file {key!r} cannot be read: {exc}") from exc
    index = {n: i for i, n in enumerate(names)}
    missing = [f for f in filenames if f not in index]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise PipelineError(f"embeddings file {key!r} has no row for {len(missing)} files: {shown}")
    rows = np.asarray([index[f] for f in filenames], dtype=np.int64)
    return list(filenames), embeddings[rows].astype(np.float32)
