from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.compute_worker_state import ComputeWorkerState
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="WorkerStatusData")



@_attrs_define
class WorkerStatusData:
    """ Winnow's liveness view of a registered worker (not a lightly model, so it may grow).

    ``lastSeen`` is the worker's last heartbeat (epoch ms; ``None`` before its first one); a
    worker silent for a lease timeout is OFFLINE. ``runId`` is the run it works on, if any.

        Attributes:
            id (str):
            last_modified_at (int):
            name (str):
            state (ComputeWorkerState): Lightly's ``DockerWorkerState``.
            last_seen (int | None | Unset):
            run_id (None | str | Unset):
     """

    id: str
    last_modified_at: int
    name: str
    state: ComputeWorkerState
    last_seen: int | None | Unset = UNSET
    run_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        last_modified_at = self.last_modified_at

        name = self.name

        state = self.state.value

        last_seen: int | None | Unset
        if isinstance(self.last_seen, Unset):
            last_seen = UNSET
        else:
            last_seen = self.last_seen

        run_id: None | str | Unset
        if isinstance(self.run_id, Unset):
            run_id = UNSET
        else:
            run_id = self.run_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "id": id,
            "lastModifiedAt": last_modified_at,
            "name": name,
            "state": state,
        })
        if last_seen is not UNSET:
            field_dict["lastSeen"] = last_seen
        if run_id is not UNSET:
            field_dict["runId"] = run_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        last_modified_at = d.pop("lastModifiedAt")

        name = d.pop("name")

        state = ComputeWorkerState(d.pop("state"))




        def _parse_last_seen(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_seen = _parse_last_seen(d.pop("lastSeen", UNSET))


        def _parse_run_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        run_id = _parse_run_id(d.pop("runId", UNSET))


        worker_status_data = cls(
            id=id,
            last_modified_at=last_modified_at,
            name=name,
            state=state,
            last_seen=last_seen,
            run_id=run_id,
        )

        return worker_status_data

