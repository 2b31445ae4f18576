"""``EmbeddingsMixin``: upload, list and download a dataset's embeddings CSVs (lightly's
``_UploadEmbeddingsMixin`` and the embedding half of ``_DownloadDatasetMixin``).

An embeddings CSV is lightly's ``save_embeddings`` format: ``filenames,embedding_0,...,labels``.
The server stores the bytes it receives as they are (a download is byte-equal to the upload)
and adds a sample for every file name the dataset lacks.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import IO

import httpx

from winnow_client.generated.api.embeddings import (
    get_read_csv_url,
    get_write_csv_url,
    list_embeddings,
)
from winnow_client.generated.api.sampling import trigger_2d_embeddings_job
from winnow_client.generated.models import (
    DatasetEmbeddingData,
    DimensionalityReductionMethod,
    Trigger2DEmbeddingJobRequest,
    WriteCSVUrlData,
)
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import check, download, ok, ok_list
from winnow_client.workflow.errors import EmbeddingDoesNotExistError

# lightly triggers all three; Winnow computes one projection per embedding (the later ones
# find it and start nothing).
PROJECTIONS = (
    DimensionalityReductionMethod.PCA,
    DimensionalityReductionMethod.TSNE,
    DimensionalityReductionMethod.UMAP,
)


def read_embeddings_rows(path: str | Path) -> list[list[str]]:
    """The CSV's rows (header first) with only the ``filenames``, ``embedding_*`` and ``labels``
    columns, in that order (lightly's ``check_embeddings(remove_additional_columns=True)``)."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ValueError(f"{path}: the embeddings CSV is empty")
    header = rows[0]
    embedding_cols = [i for i, name in enumerate(header) if name.startswith("embedding_")]
    for required in ("filenames", "labels"):
        if required not in header:
            raise ValueError(f"{path}: the header has no {required!r} column")
    if not embedding_cols:
        raise ValueError(f"{path}: the header has no embedding_0.. columns")
    keep = [header.index("filenames"), *embedding_cols, header.index("labels")]
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}: line {number} has {len(row)} columns, not {len(header)}")
    return [[row[i] for i in keep] for row in rows]


def csv_bytes(rows: list[list[str]]) -> bytes:
    """The rows as ``csv.writer`` writes them (what ``upload_embeddings`` sends)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def latest_default_embedding(
    embeddings: list[DatasetEmbeddingData],
) -> DatasetEmbeddingData | None:
    """The newest embedding whose name starts with ``default`` (the runs' embeddings)."""
    defaults = [e for e in embeddings if e.name.startswith("default")]
    return max(defaults, key=lambda e: e.created_at) if defaults else None


class EmbeddingsMixin(WorkflowBase):
    """The current dataset's embeddings; ``embedding_id`` is the one ``selection`` uses."""

    def get_all_embedding_data(self) -> list[DatasetEmbeddingData]:
        """Every embedding of the current dataset, newest first."""
        response = list_embeddings.sync_detailed(self.dataset_id, client=self.api)
        return ok_list(response, DatasetEmbeddingData)

    def set_embedding_id_to_latest(self) -> None:
        """``embedding_id`` := the dataset's newest embedding (``RuntimeError`` if none)."""
        embeddings = self.get_all_embedding_data()
        if not embeddings:
            raise RuntimeError(f"There are no known embeddings for dataset_id {self.dataset_id}.")
        self.embedding_id = embeddings[0].id

    def get_embedding_by_name(self, name: str, ignore_suffix: bool = True) -> DatasetEmbeddingData:
        """The first embedding named ``name`` (with ``ignore_suffix``: whose name starts with
        it); ``EmbeddingDoesNotExistError`` if none."""
        for embedding in self.get_all_embedding_data():
            if embedding.name == name or (ignore_suffix and embedding.name.startswith(name)):
                return embedding
        raise EmbeddingDoesNotExistError(
            f"Embedding with the specified name does not exist on the server: {name}"
        )

    def get_embedding_data_by_name(self, name: str) -> DatasetEmbeddingData:
        """The embedding named exactly ``name`` (``ValueError`` if none)."""
        for embedding in self.get_all_embedding_data():
            if embedding.name == name:
                return embedding
        raise ValueError(
            f"There are no embeddings with name '{name}' for dataset with id '{self.dataset_id}'."
        )

    def _read_csv_url(self, embedding_id: str) -> str:
        response = get_read_csv_url.sync_detailed(self.dataset_id, embedding_id, client=self.api)
        return ok(response, str)

    def download_embeddings_csv_by_id(self, embedding_id: str, output_path: str) -> None:
        """Write the embedding's CSV, exactly as stored, to ``output_path``."""
        download(self._read_csv_url(embedding_id), output_path, timeout=180)

    def download_embeddings_csv(self, output_path: str) -> None:
        """Write the newest ``default...`` embedding's CSV (a run's) to ``output_path``;
        ``RuntimeError`` if the dataset has none."""
        latest = latest_default_embedding(self.get_all_embedding_data())
        if latest is None:
            raise RuntimeError(
                f"Could not find embeddings for dataset with id '{self.dataset_id}'."
            )
        self.download_embeddings_csv_by_id(latest.id, output_path)

    def upload_file_with_signed_url(
        self,
        file: IO[bytes] | bytes | None,
        signed_write_url: str,
        headers: dict[str, str] | None = None,
        session: httpx.Client | None = None,
    ) -> httpx.Response:
        """PUT ``file`` (``None``: an empty body) to a signed write URL, which needs no token;
        raises ``httpx.HTTPStatusError`` on an error answer."""
        if file is None:
            data = b""
        elif isinstance(file, bytes):
            data = file
        else:
            data = file.read()
        if session is not None:
            response = session.put(signed_write_url, content=data, headers=headers)
        else:
            response = httpx.put(signed_write_url, content=data, headers=headers, timeout=180)
        response.raise_for_status()
        return response

    def append_embeddings(self, path_to_embeddings_csv: str, embedding_id: str) -> None:
        """Rewrite the local CSV as the server's embedding ``embedding_id`` plus the local rows
        (a local row replaces the server's row of the same file name; new ones go last)."""
        text = httpx.get(self._read_csv_url(embedding_id), timeout=180, follow_redirects=True)
        text.raise_for_status()
        remote = list(csv.reader(io.StringIO(text.content.decode("utf-8"))))
        header, remote_rows = remote[0], remote[1:]
        with open(path_to_embeddings_csv, newline="") as fh:
            local = list(csv.reader(fh))
        if len(local[0]) != len(header):
            raise RuntimeError(
                "Column mismatch! Number of columns in local and remote embeddings files must "
                f"match but are {len(local[0])} and {len(header)} respectively."
            )
        by_name = {row[0]: row for row in local[1:]}
        rows = [header] + [by_name.pop(row[0], row) for row in remote_rows]
        rows.extend(by_name.values())
        with open(path_to_embeddings_csv, "w", newline="") as fh:
            csv.writer(fh).writerows(rows)

    def _order_csv_by_filenames(self, path_to_embeddings_csv: str) -> list[list[str]]:
        """The CSV's rows, header first, in the order of the dataset's samples.

        Every sample must have a row (``ValueError`` otherwise, as in lightly). Rows of file
        names the dataset lacks follow in the file's order: the server adds them as samples
        (lightly refuses them; Winnow's upload creates and extends samples).
        """
        rows = read_embeddings_rows(path_to_embeddings_csv)
        header, body = rows[0], rows[1:]
        by_name = {row[0]: row for row in body}
        if len(by_name) != len(body):
            raise ValueError(f"{path_to_embeddings_csv}: a file name appears more than once")
        on_server = self.get_filenames()
        missing = [name for name in on_server if name not in by_name]
        if missing:
            raise ValueError(
                f"There are {len(body)} rows in the embedding file, but {len(on_server)} "
                f"filenames/samples on the server; {len(missing)} of them have no row "
                f"(e.g. {missing[0]!r})."
            )
        known = set(on_server)
        ordered = [by_name[name] for name in on_server]
        ordered += [row for row in body if row[0] not in known]
        return [header, *ordered]

    def upload_embeddings(self, path_to_embeddings_csv: str, name: str) -> None:
        """Upload an embeddings CSV as the embedding ``name`` and make it ``embedding_id``.

        If an embedding whose name starts with ``name`` exists, its rows are first appended to
        the local file (``append_embeddings``) and the new one is named
        ``<name>_<%Y%m%d_%Hh%Mm%Ss>``, as lightly does. The rows are sent in the dataset's
        sample order; the 2-D projection is triggered afterwards.
        """
        read_embeddings_rows(path_to_embeddings_csv)  # the format, before anything is sent
        try:
            existing = self.get_embedding_by_name(name, ignore_suffix=True)
        except EmbeddingDoesNotExistError:
            pass
        else:
            print("Appending embeddings from server.")
            self.append_embeddings(path_to_embeddings_csv, existing.id)
            name = f"{name}_{datetime.now().strftime('%Y%m%d_%Hh%Mm%Ss')}"
        data = csv_bytes(self._order_csv_by_filenames(path_to_embeddings_csv))
        response = get_write_csv_url.sync_detailed(self.dataset_id, client=self.api, name=name)
        target = ok(response, WriteCSVUrlData)
        self.embedding_id = target.embedding_id
        self.upload_file_with_signed_url(data, target.signed_write_url)
        for method in PROJECTIONS:
            body = Trigger2DEmbeddingJobRequest(dimensionality_reduction_method=method)
            check(
                trigger_2d_embeddings_job.sync_detailed(
                    self.dataset_id, target.embedding_id, client=self.api, body=body
                )
            )
