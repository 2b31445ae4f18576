from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.datasource_purpose import DatasourcePurpose
from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="DatasourceConfigLocal")



@_attrs_define
class DatasourceConfigLocal:
    """ 
        Attributes:
            full_path (str):
            purpose (DatasourcePurpose):
            type_ (Literal['LOCAL']):
            id (None | str | Unset):
            thumb_suffix (None | str | Unset):
            web_server_location (None | str | Unset):
     """

    full_path: str
    purpose: DatasourcePurpose
    type_: Literal['LOCAL']
    id: None | str | Unset = UNSET
    thumb_suffix: None | str | Unset = UNSET
    web_server_location: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        full_path = self.full_path

        purpose = self.purpose.value

        type_ = self.type_

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        thumb_suffix: None | str | Unset
        if isinstance(self.thumb_suffix, Unset):
            thumb_suffix = UNSET
        else:
            thumb_suffix = self.thumb_suffix

        web_server_location: None | str | Unset
        if isinstance(self.web_server_location, Unset):
            web_server_location = UNSET
        else:
            web_server_location = self.web_server_location


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "fullPath": full_path,
            "purpose": purpose,
            "type": type_,
        })
        if id is not UNSET:
            field_dict["id"] = id
        if thumb_suffix is not UNSET:
            field_dict["thumbSuffix"] = thumb_suffix
        if web_server_location is not UNSET:
            field_dict["webServerLocation"] = web_server_location

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        full_path = d.pop("fullPath")

        purpose = DatasourcePurpose(d.pop("purpose"))




        type_ = cast(Literal['LOCAL'] , d.pop("type"))
        if type_ != 'LOCAL':
            raise ValueError(f"type must match const 'LOCAL', got '{type_}'")

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))


        def _parse_thumb_suffix(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        thumb_suffix = _parse_thumb_suffix(d.pop("thumbSuffix", UNSET))


        def _parse_web_server_location(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        web_server_location = _parse_web_server_location(d.pop("webServerLocation", UNSET))


        datasource_config_local = cls(
            full_path=full_path,
            purpose=purpose,
            type_=type_,
            id=id,
            thumb_suffix=thumb_suffix,
            web_server_location=web_server_location,
        )

        return datasource_config_local

