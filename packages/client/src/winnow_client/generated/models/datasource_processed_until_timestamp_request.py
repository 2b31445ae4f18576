from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="DatasourceProcessedUntilTimestampRequest")



@_attrs_define
class DatasourceProcessedUntilTimestampRequest:
    """ How far the datasource has been processed (epoch seconds).

    Strict (``false`` is not 0), as lightly's model; at most 2**53 (exact as a JSON number,
    inside the column's BIGINT).

        Attributes:
            processed_until_timestamp (int):
     """

    processed_until_timestamp: int





    def to_dict(self) -> dict[str, Any]:
        processed_until_timestamp = self.processed_until_timestamp


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "processedUntilTimestamp": processed_until_timestamp,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        processed_until_timestamp = d.pop("processedUntilTimestamp")

        datasource_processed_until_timestamp_request = cls(
            processed_until_timestamp=processed_until_timestamp,
        )

        return datasource_processed_until_timestamp_request

