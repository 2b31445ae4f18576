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






T = TypeVar("T", bound="CreateWorkerRequest")



@_attrs_define
class CreateWorkerRequest:
    """ ``CreateDockerWorkerRegistryEntryRequest``: register a worker (idempotent by name).

        Attributes:
            name (str):
            worker_type (Literal['FULL']):
            creator (Creator | None | Unset):
            docker_version (None | str | Unset):
            labels (list[str] | Unset):
     """

    name: str
    worker_type: Literal['FULL']
    creator: Creator | None | Unset = UNSET
    docker_version: None | str | Unset = UNSET
    labels: list[str] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        worker_type = self.worker_type

        creator: None | str | Unset
        if isinstance(self.creator, Unset):
            creator = UNSET
        elif isinstance(self.creator, Creator):
            creator = self.creator.value
        else:
            creator = self.creator

        docker_version: None | str | Unset
        if isinstance(self.docker_version, Unset):
            docker_version = UNSET
        else:
            docker_version = self.docker_version

        labels: list[str] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "workerType": worker_type,
        })
        if creator is not UNSET:
            field_dict["creator"] = creator
        if docker_version is not UNSET:
            field_dict["dockerVersion"] = docker_version
        if labels is not UNSET:
            field_dict["labels"] = labels

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        worker_type = cast(Literal['FULL'] , d.pop("workerType"))
        if worker_type != 'FULL':
            raise ValueError(f"workerType must match const 'FULL', got '{worker_type}'")

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


        def _parse_docker_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        docker_version = _parse_docker_version(d.pop("dockerVersion", UNSET))


        labels = cast(list[str], d.pop("labels", UNSET))


        create_worker_request = cls(
            name=name,
            worker_type=worker_type,
            creator=creator,
            docker_version=docker_version,
            labels=labels,
        )

        return create_worker_request

