from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.configuration_entry import ConfigurationEntry





T = TypeVar("T", bound="ConfigurationSetRequest")



@_attrs_define
class ConfigurationSetRequest:
    """ A named list of configuration entries.

        Attributes:
            configs (list[ConfigurationEntry]):
            name (str):
     """

    configs: list[ConfigurationEntry]
    name: str





    def to_dict(self) -> dict[str, Any]:
        from ..models.configuration_entry import ConfigurationEntry # noqa: PLC0415
        configs = []
        for configs_item_data in self.configs:
            configs_item = configs_item_data.to_dict()
            configs.append(configs_item)



        name = self.name


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "configs": configs,
            "name": name,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.configuration_entry import ConfigurationEntry # noqa: PLC0415
        d = dict(src_dict)
        configs = []
        _configs = d.pop("configs")
        for configs_item_data in (_configs):
            configs_item = ConfigurationEntry.from_dict(configs_item_data)



            configs.append(configs_item)


        name = d.pop("name")

        configuration_set_request = cls(
            configs=configs,
            name=name,
        )

        return configuration_set_request

