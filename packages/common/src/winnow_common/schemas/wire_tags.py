"""Wire models of a tag's labeling-tool exports: Label Studio tasks, Labelbox v3 and v4 rows.

Every item carries a signed, token-free read URL of the sample's image (lightly: "a URL which
allows anyone in possession of said URL ... to access the resource").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from winnow_common.schemas.base import WireResponse
from winnow_common.schemas.wire import SampleDataModes

if TYPE_CHECKING:
    from winnow_common.db import models


class LabelStudioTaskData(WireResponse):
    """A task's ``data``: the image URL, the sample's name, its sample data when asked for."""

    image: str
    lightly_file_name: str | None = None
    # lightly's ``SampleData`` (id, type, datasetId, fileName, index, createdAt, customMetaData).
    lightly_meta_info: SampleDataModes | None = None


class LabelStudioTask(WireResponse):
    """One Label Studio task (https://labelstud.io/guide/tasks.html, basic JSON format)."""

    # The sample's index in the dataset (its bit in tag bitmasks): unique and stable.
    id: int
    data: LabelStudioTaskData

    @classmethod
    def from_export(cls, row: models.Sample, name: str, url: str, meta: bool) -> LabelStudioTask:
        """The task of a sample: ``url`` as the image, ``name`` as ``lightlyFileName``, the
        sample's data as ``lightlyMetaInfo`` when ``meta``."""
        info = SampleDataModes.from_row(row, "full") if meta else None
        data = LabelStudioTaskData(image=url, lightly_file_name=name, lightly_meta_info=info)
        return cls(id=row.idx, data=data)


class LabelBoxDataRow(WireResponse):
    """One Labelbox v3 data row (deprecated by the client in favour of v4)."""

    external_id: str
    image_url: str

    @classmethod
    def from_export(cls, name: str, url: str) -> LabelBoxDataRow:
        """The row of a sample: its ``name`` as ``externalId``, ``url`` as ``imageUrl``."""
        return cls(external_id=name, image_url=url)


class LabelBoxV4DataRow(WireResponse):
    """One Labelbox v4 data row; lightly spells its keys in snake_case."""

    row_data: str = Field(alias="row_data")
    global_key: str | None = Field(default=None, alias="global_key")
    media_type: Literal["IMAGE"] | None = Field(default=None, alias="media_type")

    @classmethod
    def from_export(cls, name: str, url: str) -> LabelBoxV4DataRow:
        """The row of a sample: ``url`` as ``row_data``, its ``name`` as ``global_key``."""
        return cls(row_data=url, global_key=name, media_type="IMAGE")
