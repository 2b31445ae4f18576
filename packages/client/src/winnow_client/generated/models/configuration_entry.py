from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.configuration_entry_valuedatatype import ConfigurationEntryValuedatatype






T = TypeVar("T", bound="ConfigurationEntry")



@_attrs_define
class ConfigurationEntry:
    """ One configured metadata field: its display name, dot path, fallback and data type.

    ``defaultValue`` is required (lightly's model has no default) but may be ``null``.

        Attributes:
            default_value (Any):
            name (str):
            path (str):
            value_data_type (ConfigurationEntryValuedatatype):
     """

    default_value: Any
    name: str
    path: str
    value_data_type: ConfigurationEntryValuedatatype





    def to_dict(self) -> dict[str, Any]:
        default_value = self.default_value

        name = self.name

        path = self.path

        value_data_type = self.value_data_type.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "defaultValue": default_value,
            "name": name,
            "path": path,
            "valueDataType": value_data_type,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        default_value = d.pop("defaultValue")

        name = d.pop("name")

        path = d.pop("path")

        value_data_type = ConfigurationEntryValuedatatype(d.pop("valueDataType"))




        configuration_entry = cls(
            default_value=default_value,
            name=name,
            path=path,
            value_data_type=value_data_type,
        )

        return configuration_entry

