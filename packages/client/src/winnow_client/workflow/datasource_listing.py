"""``DatasourceListingMixin``: the files of the current dataset's datasource with signed read URLs,
its ``.lightly/`` metadata and prediction files, and the processed-until timestamp (lightly's
``_DatasourceListingMixin``).

A listing asks the ``.../list/dnc`` route for ``divide_and_conquer_shards`` cursors, follows
each cursor's pages (``hasMore``) in a thread of its own and yields ``(fileName, readUrl)``
pairs; files with an absolute or dotted name, and repeats, are skipped with a warning.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, Protocol

from winnow_client.generated.api.datasources import (
    custom_embedding_file_read_url,
    get_processed_until_timestamp,
    list_raw_metadata,
    list_raw_metadata_dnc,
    list_raw_predictions,
    list_raw_predictions_dnc,
    list_raw_samples,
    list_raw_samples_dnc,
    metadata_file_read_url,
    prediction_file_read_url,
    update_processed_until_timestamp,
)
from winnow_client.generated.models import (
    DatasourceProcessedUntilTimestampRequest,
    DatasourceProcessedUntilTimestampResponse,
    DatasourceRawSamplesData,
    DatasourceRawSamplesMetadataData,
    DatasourceRawSamplesPredictionsData,
    DivideAndConquerCursorData,
)
from winnow_client.generated.types import UNSET, Response
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import check, ok

Endpoint = Callable[..., Response[Any]]
Page = (
    DatasourceRawSamplesData
    | DatasourceRawSamplesMetadataData
    | DatasourceRawSamplesPredictionsData
)


class ProgressBar(Protocol):
    """What a listing calls on its ``progress_bar`` (a ``tqdm.tqdm`` fits)."""

    def update(self, n: int = 1) -> Any:
        """Advance by ``n`` files."""
        ...


def usable(file_name: str, listed: set[str], relevant_filenames_file_name: str | None) -> bool:
    """Whether a listed file is returned: not absolute, not dotted, not listed before."""
    where = f" in relevant filenames file {relevant_filenames_file_name}"
    if file_name.startswith("/"):
        problem = f"Absolute file paths like {file_name} are not supported{where}"
    elif file_name.startswith(("./", "../")):
        problem = f"Using dot notation ('./', '../') like in {file_name} is not supported{where}"
    elif file_name in listed:
        problem = f"Duplicate filename {file_name}{where}"
    else:
        return True
    warnings.warn(UserWarning(problem), stacklevel=3)
    return False


def _relevant(run_id: str | None, relevant_filenames_artifact_id: str | None) -> dict[str, str]:
    """The relevant-filenames artifact query of a listing (both or neither)."""
    if (run_id is None) != (relevant_filenames_artifact_id is None):
        raise ValueError(
            "'run_id' and 'relevant_filenames_artifact_id' must be given together (or neither)."
        )
    if run_id is None or relevant_filenames_artifact_id is None:
        return {}
    return {
        "relevant_filenames_run_id": run_id,
        "relevant_filenames_artifact_id": relevant_filenames_artifact_id,
    }


class DatasourceListingMixin(WorkflowBase):
    """Listings of the current dataset's datasource and its processed-until timestamp."""

    def _cursor_iter(
        self,
        list_endpoint: Endpoint,
        page_kind: type[Page],
        cursor: str,
        query: dict[str, Any],
        progress_bar: ProgressBar | None,
    ) -> Iterator[tuple[str, str]]:
        """The files of one cursor, page after page, until ``hasMore`` is false."""
        listed: set[str] = set()
        active: str | None = cursor
        while active:
            page = ok(
                list_endpoint(self.dataset_id, client=self.api, cursor=active, **query), page_kind
            )
            for row in page.data:
                if usable(row.file_name, listed, query.get("relevant_filenames_file_name")):
                    listed.add(row.file_name)
                    yield row.file_name, row.read_url
                if progress_bar is not None:
                    progress_bar.update(1)
            active = page.cursor if page.has_more else None

    def _listing_iter(
        self,
        endpoints: tuple[Endpoint, Endpoint, type[Page]],
        from_: int,
        to: int | None,
        relevant_filenames_file_name: str | None,
        divide_and_conquer_shards: int,
        use_redirected_read_url: bool,
        progress_bar: ProgressBar | None,
        **extra: Any,
    ) -> Iterator[tuple[str, str]]:
        """Every file of a listing: the dnc route's cursors, read in parallel."""
        list_endpoint, dnc_endpoint, page_kind = endpoints
        relevant = {"relevant_filenames_file_name": relevant_filenames_file_name or UNSET}
        response = dnc_endpoint(
            self.dataset_id,
            client=self.api,
            from_=from_,
            to=int(time.time()) if to is None else to,
            dnc_shards=max(1, divide_and_conquer_shards),
            **relevant,
            **extra,
        )
        cursors = ok(response, DivideAndConquerCursorData).cursors
        if not cursors:
            raise ValueError("No cursors returned from the datasource.")
        query = {"use_redirected_read_url": use_redirected_read_url, **relevant, **extra}

        def read(cursor: str) -> list[tuple[str, str]]:
            return list(self._cursor_iter(list_endpoint, page_kind, cursor, query, progress_bar))

        with ThreadPoolExecutor(max_workers=len(cursors)) as pool:
            for future in as_completed([pool.submit(read, c) for c in cursors]):
                yield from future.result()

    def download_raw_samples(
        self,
        from_: int = 0,
        to: int | None = None,
        relevant_filenames_file_name: str | None = None,
        divide_and_conquer_shards: int = 1,
        use_redirected_read_url: bool = False,
        progress_bar: ProgressBar | None = None,
    ) -> list[tuple[str, str]]:
        """``(fileName, readUrl)`` of the datasource's files last modified between ``from_``
        and ``to`` (Unix seconds, both inclusive; ``to`` defaults to now)."""
        endpoints = (list_raw_samples.sync_detailed, list_raw_samples_dnc.sync_detailed)
        return list(
            self._listing_iter(
                (*endpoints, DatasourceRawSamplesData),
                from_,
                to,
                relevant_filenames_file_name,
                divide_and_conquer_shards,
                use_redirected_read_url,
                progress_bar,
            )
        )

    def download_new_raw_samples(
        self, divide_and_conquer_shards: int = 1, use_redirected_read_url: bool = False
    ) -> list[tuple[str, str]]:
        """The files modified after the processed-until timestamp, up to now; then the
        timestamp becomes now (call it again for the files that arrived since)."""
        from_ = self.get_processed_until_timestamp()
        if from_ != 0:
            from_ += 1  # the files at from_ itself were returned last time
        to = int(time.time())
        data = self.download_raw_samples(
            from_=from_,
            to=to,
            divide_and_conquer_shards=divide_and_conquer_shards,
            use_redirected_read_url=use_redirected_read_url,
        )
        self.update_processed_until_timestamp(timestamp=to)
        return data

    def download_raw_metadata_iter(
        self,
        from_: int = 0,
        to: int | None = None,
        run_id: str | None = None,
        relevant_filenames_artifact_id: str | None = None,
        relevant_filenames_file_name: str | None = None,
        divide_and_conquer_shards: int = 1,
        use_redirected_read_url: bool = False,
        progress_bar: ProgressBar | None = None,
    ) -> Iterator[tuple[str, str]]:
        """``(fileName, readUrl)`` of the ``.lightly/metadata/`` files of the samples modified
        between ``from_`` and ``to``; ``run_id`` with ``relevant_filenames_artifact_id``: only
        the files a run's relevant-filenames artifact names."""
        relevant = _relevant(run_id, relevant_filenames_artifact_id)
        endpoints = (list_raw_metadata.sync_detailed, list_raw_metadata_dnc.sync_detailed)
        return self._listing_iter(
            (*endpoints, DatasourceRawSamplesMetadataData),
            from_,
            to,
            relevant_filenames_file_name,
            divide_and_conquer_shards,
            use_redirected_read_url,
            progress_bar,
            **relevant,
        )

    def download_raw_metadata(
        self,
        from_: int = 0,
        to: int | None = None,
        run_id: str | None = None,
        relevant_filenames_artifact_id: str | None = None,
        relevant_filenames_file_name: str | None = None,
        divide_and_conquer_shards: int = 1,
        use_redirected_read_url: bool = False,
        progress_bar: ProgressBar | None = None,
    ) -> list[tuple[str, str]]:
        """``download_raw_metadata_iter`` as a list."""
        return list(
            self.download_raw_metadata_iter(
                from_=from_,
                to=to,
                run_id=run_id,
                relevant_filenames_artifact_id=relevant_filenames_artifact_id,
                relevant_filenames_file_name=relevant_filenames_file_name,
                divide_and_conquer_shards=divide_and_conquer_shards,
                use_redirected_read_url=use_redirected_read_url,
                progress_bar=progress_bar,
            )
        )

    def download_raw_predictions_iter(
        self,
        task_name: str,
        from_: int = 0,
        to: int | None = None,
        relevant_filenames_file_name: str | None = None,
        run_id: str | None = None,
        relevant_filenames_artifact_id: str | None = None,
        divide_and_conquer_shards: int = 1,
        use_redirected_read_url: bool = False,
        progress_bar: ProgressBar | None = None,
    ) -> Iterator[tuple[str, str]]:
        """``(fileName, readUrl)`` of the task's ``.lightly/predictions/<task>/`` files of the
        samples modified between ``from_`` and ``to`` (the relevant-filenames filters as in
        ``download_raw_metadata_iter``)."""
        relevant = _relevant(run_id, relevant_filenames_artifact_id)
        endpoints = (list_raw_predictions.sync_detailed, list_raw_predictions_dnc.sync_detailed)
        return self._listing_iter(
            (*endpoints, DatasourceRawSamplesPredictionsData),
            from_,
            to,
            relevant_filenames_file_name,
            divide_and_conquer_shards,
            use_redirected_read_url,
            progress_bar,
            task_name=task_name,
            **relevant,
        )

    def download_raw_predictions(
        self,
        task_name: str,
        from_: int = 0,
        to: int | None = None,
        relevant_filenames_file_name: str | None = None,
        run_id: str | None = None,
        relevant_filenames_artifact_id: str | None = None,
        divide_and_conquer_shards: int = 1,
        use_redirected_read_url: bool = False,
        progress_bar: ProgressBar | None = None,
    ) -> list[tuple[str, str]]:
        """``download_raw_predictions_iter`` as a list."""
        return list(
            self.download_raw_predictions_iter(
                task_name=task_name,
                from_=from_,
                to=to,
                relevant_filenames_file_name=relevant_filenames_file_name,
                run_id=run_id,
                relevant_filenames_artifact_id=relevant_filenames_artifact_id,
                divide_and_conquer_shards=divide_and_conquer_shards,
                use_redirected_read_url=use_redirected_read_url,
                progress_bar=progress_bar,
            )
        )

    def get_processed_until_timestamp(self) -> int:
        """The Unix second up to which the datasource's files were processed (0: none)."""
        response = get_processed_until_timestamp.sync_detailed(self.dataset_id, client=self.api)
        return int(
            ok(response, DatasourceProcessedUntilTimestampResponse).processed_until_timestamp
        )

    def update_processed_until_timestamp(self, timestamp: int) -> None:
        """Set the processed-until timestamp (Unix seconds)."""
        body = DatasourceProcessedUntilTimestampRequest(processed_until_timestamp=timestamp)
        check(
            update_processed_until_timestamp.sync_detailed(
                self.dataset_id, client=self.api, body=body
            )
        )

    def get_prediction_read_url(self, filename: str) -> str:
        """A signed read URL of ``.lightly/predictions/<filename>`` (whether or not it exists)."""
        response = prediction_file_read_url.sync_detailed(
            self.dataset_id, client=self.api, file_name=filename
        )
        return ok(response, str)

    def get_metadata_read_url(self, filename: str) -> str:
        """A signed read URL of ``.lightly/metadata/<filename>`` (whether or not it exists)."""
        response = metadata_file_read_url.sync_detailed(
            self.dataset_id, client=self.api, file_name=filename
        )
        return ok(response, str)

    def get_custom_embedding_read_url(self, filename: str) -> str:
        """A signed read URL of ``.lightly/embeddings/<filename>`` (whether or not it exists)."""
        response = custom_embedding_file_read_url.sync_detailed(
            self.dataset_id, client=self.api, file_name=filename
        )
        return ok(response, str)
