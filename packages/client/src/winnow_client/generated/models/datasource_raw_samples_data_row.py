from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="DatasourceRawSamplesDataRow")



@_attrs_define
class DatasourceRawSamplesDataRow:
    """ A file of the INPUT datasource and a token-free URL to read it.

        Attributes:
            file_name (str):
            read_url (str):
     """

    file_name: str
    read_url: str





    def to_dict(self) -> dict[str, Any]:
        file_name = self.file_name

        read_url = self.read_url


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "fileName": file_name,
            "readUrl": read_url,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        file_name = d.pop("fileName")

        read_url = d.pop("readUrl")

        datasource_raw_samples_data_row = cls(
            file_name=file_name,
            read_url=read_url,
        )

        return datasource_raw_samples_data_row

