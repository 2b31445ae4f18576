from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.datasource_raw_samples_metadata_data_row import DatasourceRawSamplesMetadataDataRow





T = TypeVar("T", bound="DatasourceRawSamplesMetadataData")



@_attrs_define
class DatasourceRawSamplesMetadataData:
    """ One page of custom metadata files; pass ``cursor`` back while ``hasMore``.

        Attributes:
            cursor (str):
            data (list[DatasourceRawSamplesMetadataDataRow]):
            has_more (bool):
     """

    cursor: str
    data: list[DatasourceRawSamplesMetadataDataRow]
    has_more: bool





    def to_dict(self) -> dict[str, Any]:
        from ..models.datasource_raw_samples_metadata_data_row import DatasourceRawSamplesMetadataDataRow # noqa: PLC0415
        cursor = self.cursor

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)



        has_more = self.has_more


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "cursor": cursor,
            "data": data,
            "hasMore": has_more,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.datasource_raw_samples_metadata_data_row import DatasourceRawSamplesMetadataDataRow # noqa: PLC0415
        d = dict(src_dict)
        cursor = d.pop("cursor")

        data = []
        _data = d.pop("data")
        for data_item_data in (_data):
            data_item = DatasourceRawSamplesMetadataDataRow.from_dict(data_item_data)



            data.append(data_item)


        has_more = d.pop("hasMore")

        datasource_raw_samples_metadata_data = cls(
            cursor=cursor,
            data=data,
            has_more=has_more,
        )

        return datasource_raw_samples_metadata_data

