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






T = TypeVar("T", bound="DatasourceConfigAzure")



@_attrs_define
class DatasourceConfigAzure:
    """ 
        Attributes:
            account_key (str):
            account_name (str):
            full_path (str):
            purpose (DatasourcePurpose):
            type_ (Literal['AZURE']):
            id (None | str | Unset):
            thumb_suffix (None | str | Unset):
     """

    account_key: str
    account_name: str
    full_path: str
    purpose: DatasourcePurpose
    type_: Literal['AZURE']
    id: None | str | Unset = UNSET
    thumb_suffix: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        account_key = self.account_key

        account_name = self.account_name

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


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "accountKey": account_key,
            "accountName": account_name,
            "fullPath": full_path,
            "purpose": purpose,
            "type": type_,
        })
        if id is not UNSET:
            field_dict["id"] = id
        if thumb_suffix is not UNSET:
            field_dict["thumbSuffix"] = thumb_suffix

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        account_key = d.pop("accountKey")

        account_name = d.pop("accountName")

        full_path = d.pop("fullPath")

        purpose = DatasourcePurpose(d.pop("purpose"))




        type_ = cast(Literal['AZURE'] , d.pop("type"))
        if type_ != 'AZURE':
            raise ValueError(f"type must match const 'AZURE', got '{type_}'")

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


        datasource_config_azure = cls(
            account_key=account_key,
            account_name=account_name,
            full_path=full_path,
            purpose=purpose,
            type_=type_,
            id=id,
            thumb_suffix=thumb_suffix,
        )

        return datasource_config_azure

