"""A tag's labeling-tool exports (Label Studio, Labelbox v3/v4): one page of its samples in bit
order, each with a signed, token-free read URL of its image."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_api.datasources import service as datasource_service
from winnow_api.pagination import Page
from winnow_api.signing import sample_file_path, signed_url
from winnow_api.tags import service as tag_service
from winnow_common.db.models import Sample, User
from winnow_common.db.repositories import tags as tag_repo
from winnow_common.enums import FileNameFormat
from winnow_common.errors import InvalidInput
from winnow_common.tags import bitmask_to_indices

# The longest lifetime ``expiresIn`` may ask for (7 days, as for S3 presigned URLs). Without
# it a URL lives ``SIGNED_URL_TTL_S``; Winnow never signs URLs that are valid forever.
MAX_EXPIRES_IN_S = 7 * 24 * 3600
DEFAULT_ACCESS_CONTROL = "default"


@dataclass(frozen=True)
class ExportOptions:
    """The export query parameters lightly defines (the client sends only the page)."""

    expires_in: int | None = None
    access_control: str | None = None
    file_name_format: FileNameFormat = FileNameFormat.NAME
    include_meta_data: bool = False
    output_format: str | None = None
    preview_example: bool = False


@dataclass(frozen=True)
class ExportItem:
    """One exported sample: its row, its name in ``fileNameFormat`` and its read URL."""

    sample: Sample
    name: str
    url: str


def _check(options: ExportOptions) -> None:
    """Refuse what Winnow cannot honour instead of ignoring it."""
    if options.expires_in is not None and not 1 <= options.expires_in <= MAX_EXPIRES_IN_S:
        raise InvalidInput(
            f"expiresIn: must be between 1 and {MAX_EXPIRES_IN_S} seconds "
            f"(got {options.expires_in}); omit it for the server's default lifetime"
        )
    if options.access_control not in (None, DEFAULT_ACCESS_CONTROL):
        raise InvalidInput(
            f"accessControl: no access control named {options.access_control!r}; Winnow signs "
            f"read URLs itself (only {DEFAULT_ACCESS_CONTROL!r})"
        )
    if options.output_format not in (None, "JSON"):
        raise InvalidInput(f"format: this export is JSON only (got {options.output_format!r})")


def _names(
    session: Session,
    samples: Sequence[Sample],
    urls: list[str],
    fmt: FileNameFormat,
) -> list[str]:
    """The samples' names as ``fileNameFormat`` asks: relative names, full datasource paths
    or the read URLs themselves."""
    if fmt == FileNameFormat.DATASOURCE_FULL:
        return tag_service.sample_full_urls(session, samples)
    if fmt == FileNameFormat.REDIRECTED_READ_URL:
        return list(urls)
    return [s.file_name for s in samples]


def items(
    session: Session,
    user: User,
    dataset_id: str,
    tag_id: str,
    page: Page,
    options: ExportOptions,
) -> list[ExportItem]:
    """One page of the tag's samples in bit order with names and read URLs (``[]`` past the
    end; only the first with ``previewExample``). Owner and collaborators may export; the
    dataset needs an INPUT datasource (404 otherwise: the URLs could only fail)."""
    _check(options)
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    tag = tag_service.get_in_dataset(session, dataset, tag_id)
    datasource_service.input_source(session, dataset.id)
    limit = 1 if options.preview_example else page.size
    offset = 0 if options.preview_example else page.offset
    samples = tag_repo.samples_in(
        session, dataset.id, bitmask_to_indices(tag.bit_mask_data), offset=offset, limit=limit
    )
    urls = [signed_url(sample_file_path(dataset.id, s.id), options.expires_in) for s in samples]
    names = _names(session, samples, urls, options.file_name_format)
    return [ExportItem(s, n, u) for s, n, u in zip(samples, names, urls, strict=True)]
