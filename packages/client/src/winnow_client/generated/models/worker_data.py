from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.compute_worker_state import ComputeWorkerState
from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="WorkerData")



@_attrs_define
class WorkerData:
    """ ``DockerWorkerRegistryEntryData``: exactly the keys of the lightly model.

        Attributes:
            created_at (int):
            id (str):
            labels (list[str]):
            last_modified_at (int):
            name (str):
            state (ComputeWorkerState): Lightly's ``DockerWorkerState``.
            user_id (str):
            worker_type (Literal['FULL']):
            docker_version (None | str | Unset):
            is_default (bool | None | Unset):
     """

    created_at: int
    id: str
    labels: list[str]
    last_modified_at: int
    name: str
    state: ComputeWorkerState
    user_id: str
    worker_type: Literal['FULL']
    docker_version: None | str | Unset = UNSET
    is_default: bool | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        id = self.id

        labels = self.labels



        last_modified_at = self.last_modified_at

        name = self.name

        state = self.state.value

        user_id = self.user_id

        worker_type = self.worker_type

        docker_version: None | str | Unset
        if isinstance(self.docker_version, Unset):
            docker_version = UNSET
        else:
            docker_version = self.docker_version

        is_default: bool | None | Unset
        if isinstance(self.is_default, Unset):
            is_default = UNSET
        else:
            is_default = self.is_default


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "createdAt": created_at,
            "id": id,
            "labels": labels,
            "lastModifiedAt": last_modified_at,
            "name": name,
            "state": state,
            "userId": user_id,
            "workerType": worker_type,
        })
        if docker_version is not UNSET:
            field_dict["dockerVersion"] = docker_version
        if is_default is not UNSET:
            field_dict["isDefault"] = is_default

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("createdAt")

        id = d.pop("id")

        labels = cast(list[str], d.pop("labels"))


        last_modified_at = d.pop("lastModifiedAt")

        name = d.pop("name")

        state = ComputeWorkerState(d.pop("state"))




        user_id = d.pop("userId")

        worker_type = cast(Literal['FULL'] , d.pop("workerType"))
        if worker_type != 'FULL':
            raise ValueError(f"workerType must match const 'FULL', got '{worker_type}'")

        def _parse_docker_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        docker_version = _parse_docker_version(d.pop("dockerVersion", UNSET))


        def _parse_is_default(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        is_default = _parse_is_default(d.pop("isDefault", UNSET))


        worker_data = cls(
            created_at=created_at,
            id=id,
            labels=labels,
            last_modified_at=last_modified_at,
            name=name,
            state=state,
            user_id=user_id,
            worker_type=worker_type,
            docker_version=docker_version,
            is_default=is_default,
        )

        return worker_data

