from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.creator import Creator
from ..models.scheduled_run_priority import ScheduledRunPriority
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ScheduledRunCreateRequest")



@_attrs_define
class ScheduledRunCreateRequest:
    """ 
        Attributes:
            config_id (str):
            creator (Creator | None | Unset):
            priority (ScheduledRunPriority | Unset):
            runs_on (list[str] | Unset):
     """

    config_id: str
    creator: Creator | None | Unset = UNSET
    priority: ScheduledRunPriority | Unset = UNSET
    runs_on: list[str] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        config_id = self.config_id

        creator: None | str | Unset
        if isinstance(self.creator, Unset):
            creator = UNSET
        elif isinstance(self.creator, Creator):
            creator = self.creator.value
        else:
            creator = self.creator

        priority: str | Unset = UNSET
        if not isinstance(self.priority, Unset):
            priority = self.priority.value


        runs_on: list[str] | Unset = UNSET
        if not isinstance(self.runs_on, Unset):
            runs_on = self.runs_on




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "configId": config_id,
        })
        if creator is not UNSET:
            field_dict["creator"] = creator
        if priority is not UNSET:
            field_dict["priority"] = priority
        if runs_on is not UNSET:
            field_dict["runsOn"] = runs_on

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        config_id = d.pop("configId")

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


        _priority = d.pop("priority", UNSET)
        priority: ScheduledRunPriority | Unset
        if isinstance(_priority,  Unset):
            priority = UNSET
        else:
            priority = ScheduledRunPriority(_priority)




        runs_on = cast(list[str], d.pop("runsOn", UNSET))


        scheduled_run_create_request = cls(
            config_id=config_id,
            creator=creator,
            priority=priority,
            runs_on=runs_on,
        )

        return scheduled_run_create_request

