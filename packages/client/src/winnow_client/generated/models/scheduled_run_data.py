from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.scheduled_run_priority import ScheduledRunPriority
from ..models.scheduled_run_state import ScheduledRunState
from typing import cast






T = TypeVar("T", bound="ScheduledRunData")



@_attrs_define
class ScheduledRunData:
    """ 
        Attributes:
            config_id (str):
            created_at (int):
            dataset_id (str):
            id (str):
            last_modified_at (int):
            priority (ScheduledRunPriority):
            runs_on (list[str]):
            state (ScheduledRunState):
            user_id (str):
     """

    config_id: str
    created_at: int
    dataset_id: str
    id: str
    last_modified_at: int
    priority: ScheduledRunPriority
    runs_on: list[str]
    state: ScheduledRunState
    user_id: str





    def to_dict(self) -> dict[str, Any]:
        config_id = self.config_id

        created_at = self.created_at

        dataset_id = self.dataset_id

        id = self.id

        last_modified_at = self.last_modified_at

        priority = self.priority.value

        runs_on = self.runs_on



        state = self.state.value

        user_id = self.user_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "configId": config_id,
            "createdAt": created_at,
            "datasetId": dataset_id,
            "id": id,
            "lastModifiedAt": last_modified_at,
            "priority": priority,
            "runsOn": runs_on,
            "state": state,
            "userId": user_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        config_id = d.pop("configId")

        created_at = d.pop("createdAt")

        dataset_id = d.pop("datasetId")

        id = d.pop("id")

        last_modified_at = d.pop("lastModifiedAt")

        priority = ScheduledRunPriority(d.pop("priority"))




        runs_on = cast(list[str], d.pop("runsOn"))


        state = ScheduledRunState(d.pop("state"))




        user_id = d.pop("userId")

        scheduled_run_data = cls(
            config_id=config_id,
            created_at=created_at,
            dataset_id=dataset_id,
            id=id,
            last_modified_at=last_modified_at,
            priority=priority,
            runs_on=runs_on,
            state=state,
            user_id=user_id,
        )

        return scheduled_run_data

