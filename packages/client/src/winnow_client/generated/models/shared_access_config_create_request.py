from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.creator import Creator
from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="SharedAccessConfigCreateRequest")



@_attrs_define
class SharedAccessConfigCreateRequest:
    """ 
        Attributes:
            access_type (Literal['WRITE']):
            creator (Creator | None | Unset):
            teams (list[str] | None | Unset):
            users (list[str] | None | Unset):
     """

    access_type: Literal['WRITE']
    creator: Creator | None | Unset = UNSET
    teams: list[str] | None | Unset = UNSET
    users: list[str] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        access_type = self.access_type

        creator: None | str | Unset
        if isinstance(self.creator, Unset):
            creator = UNSET
        elif isinstance(self.creator, Creator):
            creator = self.creator.value
        else:
            creator = self.creator

        teams: list[str] | None | Unset
        if isinstance(self.teams, Unset):
            teams = UNSET
        elif isinstance(self.teams, list):
            teams = self.teams


        else:
            teams = self.teams

        users: list[str] | None | Unset
        if isinstance(self.users, Unset):
            users = UNSET
        elif isinstance(self.users, list):
            users = self.users


        else:
            users = self.users


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "accessType": access_type,
        })
        if creator is not UNSET:
            field_dict["creator"] = creator
        if teams is not UNSET:
            field_dict["teams"] = teams
        if users is not UNSET:
            field_dict["users"] = users

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_type = cast(Literal['WRITE'] , d.pop("accessType"))
        if access_type != 'WRITE':
            raise ValueError(f"accessType must match const 'WRITE', got '{access_type}'")

        def _parse_creator(data: object) -> Creator | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                creator_type_0 = Creator(data)



                return creator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Creator | None | Unset, data)

        creator = _parse_creator(d.pop("creator", UNSET))


        def _parse_teams(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                teams_type_0 = cast(list[str], data)

                return teams_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        teams = _parse_teams(d.pop("teams", UNSET))


        def _parse_users(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                users_type_0 = cast(list[str], data)

                return users_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        users = _parse_users(d.pop("users", UNSET))


        shared_access_config_create_request = cls(
            access_type=access_type,
            creator=creator,
            teams=teams,
            users=users,
        )

        return shared_access_config_create_request

