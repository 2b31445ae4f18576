"""``ExportMixin``: a tag's filenames and signed read URLs (lightly's ``_ExportDatasetMixin``)."""

from __future__ import annotations

from winnow_client.generated.api.tags import export_tag_filenames
from winnow_client.generated.models import FileNameFormat
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import PAGE_SIZE, ok, paginate


class ExportMixin(WorkflowBase):
    """Filename exports of a tag, by tag id or name."""

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
