from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="SharedAccessConfigData")



@_attrs_define
class SharedAccessConfigData:
    """ 
        Attributes:
            access_type (Literal['WRITE']):
            created_at (int):
            id (str):
            last_modified_at (int):
            owner (str):
            teams (list[str]):
            users (list[str]):
     """

    access_type: Literal['WRITE']
    created_at: int
    id: str
    last_modified_at: int
    owner: str
    teams: list[str]
    users: list[str]





    def to_dict(self) -> dict[str, Any]:
        access_type = self.access_type

        created_at = self.created_at

        id = self.id

        last_modified_at = self.last_modified_at

        owner = self.owner

        teams = self.teams



        users = self.users




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "accessType": access_type,
            "createdAt": created_at,
            "id": id,
            "lastModifiedAt": last_modified_at,
            "owner": owner,
            "teams": teams,
            "users": users,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_type = cast(Literal['WRITE'] , d.pop("accessType"))
        if access_type != 'WRITE':
            raise ValueError(f"accessType must match const 'WRITE', got '{access_type}'")

        created_at = d.pop("createdAt")

        id = d.pop("id")

        last_modified_at = d.pop("lastModifiedAt")

        owner = d.pop("owner")

        teams = cast(list[str], d.pop("teams"))


        users = cast(list[str], d.pop("users"))


        shared_access_config_data = cls(
            access_type=access_type,
            created_at=created_at,
            id=id,
            last_modified_at=last_modified_at,
            owner=owner,
            teams=teams,
            users=users,
        )

        return shared_access_config_data

