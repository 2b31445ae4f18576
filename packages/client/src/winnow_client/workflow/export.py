"""``ExportMixin``: a tag's filenames, signed read URLs and the LabelStudio / Labelbox formats
(lightly's ``_ExportDatasetMixin``)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from winnow_client.generated.api.tags import (
    export_label_box_data_rows,
    export_label_box_v4_data_rows,
    export_label_studio_tasks,
    export_tag_filenames,
)
from winnow_client.generated.models import (
    FileNameFormat,
    LabelBoxDataRow,
    LabelBoxV4DataRow,
    LabelStudioTask,
)
from winnow_client.generated.types import Response
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import PAGE_SIZE, ok, ok_list, paginate

# lightly pages the LabelStudio and Labelbox exports by 2500.
ROWS_PAGE_SIZE = 2500
Row = TypeVar("Row", LabelStudioTask, LabelBoxDataRow, LabelBoxV4DataRow)


class ExportMixin(WorkflowBase):
    """Exports of a tag, by tag id or name."""

    def _export_rows(
        self, tag_id: str, endpoint: Callable[..., Response[Any]], kind: type[Row]
    ) -> list[dict[str, Any]]:
        """Every row of one of the tag's row exports, paged, as wire-keyed dicts."""

        def fetch(offset: int, size: int) -> list[Row]:
            response = endpoint(
                self.dataset_id, tag_id, client=self.api, page_size=size, page_offset=offset
            )
            return ok_list(response, kind)

        return [row.to_dict() for row in paginate(fetch, ROWS_PAGE_SIZE)]

    def export_label_studio_tasks_by_tag_id(self, tag_id: str) -> list[dict[str, Any]]:
        """LabelStudio tasks (``{"id", "data": {"image", "lightlyFileName", ...}}``) of the
        tag's samples; ``image`` is a signed read URL that needs no token."""
        return self._export_rows(tag_id, export_label_studio_tasks.sync_detailed, LabelStudioTask)

    def export_label_studio_tasks_by_tag_name(self, tag_name: str) -> list[dict[str, Any]]:
        """``export_label_studio_tasks_by_tag_id`` of the tag named ``tag_name``."""
        return self.export_label_studio_tasks_by_tag_id(self.get_tag_by_name(tag_name).id)

    def export_label_box_data_rows_by_tag_id(self, tag_id: str) -> list[dict[str, Any]]:
        """Labelbox v3 data rows (``{"externalId", "imageUrl"}``) of the tag's samples
        (deprecated in lightly in favour of the v4 format)."""
        warnings.warn(
            DeprecationWarning(
                "This method exports data in the deprecated Labelbox v3 format. Use "
                "export_label_box_v4_data_rows_by_tag_id for the Labelbox v4 format instead."
            ),
            stacklevel=2,
        )
        return self._export_rows(tag_id, export_label_box_data_rows.sync_detailed, LabelBoxDataRow)

    def export_label_box_data_rows_by_tag_name(self, tag_name: str) -> list[dict[str, Any]]:
        """``export_label_box_data_rows_by_tag_id`` of the tag named ``tag_name``."""
        return self.export_label_box_data_rows_by_tag_id(self.get_tag_by_name(tag_name).id)

    def export_label_box_v4_data_rows_by_tag_id(self, tag_id: str) -> list[dict[str, Any]]:
        """Labelbox v4 data rows (``{"row_data", "global_key", "media_type"}``) of the tag's
        samples; ``row_data`` is a signed read URL."""
        return self._export_rows(
            tag_id, export_label_box_v4_data_rows.sync_detailed, LabelBoxV4DataRow
        )

    def export_label_box_v4_data_rows_by_tag_name(self, tag_name: str) -> list[dict[str, Any]]:
        """``export_label_box_v4_data_rows_by_tag_id`` of the tag named ``tag_name``."""
        return self.export_label_box_v4_data_rows_by_tag_id(self.get_tag_by_name(tag_name).id)

    def _export(self, tag_id: str, file_name_format: str) -> list[str]:
        """One filename export of a tag, page by page, as a list of lines."""

        def fetch(offset: int, size: int) -> list[str]:
            response = export_tag_filenames.sync_detailed(
                self.dataset_id,
                tag_id,
                client=self.api,
                file_name_format=FileNameFormat(file_name_format),
                page_size=size,
                page_offset=offset,
            )
            text = ok(response, str)
            return text.split("\n") if text else []

        return paginate(fetch, PAGE_SIZE)

    def export_filenames_by_tag_id(self, tag_id: str) -> str:
        """The tag's filenames (relative to the INPUT datasource), one per line."""
        return "\n".join(self._export(tag_id, "NAME"))

    def export_filenames_by_tag_name(self, tag_name: str) -> str:
        """``export_filenames_by_tag_id`` of the tag named ``tag_name``."""
        return self.export_filenames_by_tag_id(self.get_tag_by_name(tag_name).id)

    def export_filenames_and_read_urls_by_tag_id(self, tag_id: str) -> list[dict[str, str]]:
        """``[{"fileName", "readUrl", "datasourceUrl"}]``: read URLs work without a token."""
        names = self._export(tag_id, "NAME")
        urls = self._export(tag_id, "REDIRECTED_READ_URL")
        full = self._export(tag_id, "DATASOURCE_FULL")
        if not len(names) == len(urls) == len(full):
            raise RuntimeError("the three filename exports of the tag differ in length")
        return [
            {"fileName": n, "readUrl": u, "datasourceUrl": d}
            for n, u, d in zip(names, urls, full, strict=True)
        ]

    def export_filenames_and_read_urls_by_tag_name(self, tag_name: str) -> list[dict[str, str]]:
        """``export_filenames_and_read_urls_by_tag_id`` of the tag named ``tag_name``."""
        return self.export_filenames_and_read_urls_by_tag_id(self.get_tag_by_name(tag_name).id)
