from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RunAttemptData")



@_attrs_define
class RunAttemptData:
    """ One attempt of a run's stage (``gpu.process_run`` or ``reports.render_report``).

    ``outcome`` is ``None`` while the attempt runs, then DONE, FAILED, HANDED_BACK (graceful
    shutdown), LOST (its lease expired: the process died or lost the database) or ABANDONED (an
    outage outlasted the retries); ``stage`` is the run state it ended in.

        Attributes:
            expires_at (int):
            heartbeat_at (int):
            holder (str):
            number (int):
            started_at (int):
            task (str):
            detail (None | str | Unset):
            ended_at (int | None | Unset):
            outcome (None | str | Unset):
            stage (None | str | Unset):
            worker_id (None | str | Unset):
     """

    expires_at: int
    heartbeat_at: int
    holder: str
    number: int
    started_at: int
    task: str
    detail: None | str | Unset = UNSET
    ended_at: int | None | Unset = UNSET
    outcome: None | str | Unset = UNSET
    stage: None | str | Unset = UNSET
    worker_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at

        heartbeat_at = self.heartbeat_at

        holder = self.holder

        number = self.number

        started_at = self.started_at

        task = self.task

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        ended_at: int | None | Unset
        if isinstance(self.ended_at, Unset):
            ended_at = UNSET
        else:
            ended_at = self.ended_at

        outcome: None | str | Unset
        if isinstance(self.outcome, Unset):
            outcome = UNSET
        else:
            outcome = self.outcome

        stage: None | str | Unset
        if isinstance(self.stage, Unset):
            stage = UNSET
        else:
            stage = self.stage

        worker_id: None | str | Unset
        if isinstance(self.worker_id, Unset):
            worker_id = UNSET
        else:
            worker_id = self.worker_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "expiresAt": expires_at,
            "heartbeatAt": heartbeat_at,
            "holder": holder,
            "number": number,
            "startedAt": started_at,
            "task": task,
        })
        if detail is not UNSET:
            field_dict["detail"] = detail
        if ended_at is not UNSET:
            field_dict["endedAt"] = ended_at
        if outcome is not UNSET:
            field_dict["outcome"] = outcome
        if stage is not UNSET:
            field_dict["stage"] = stage
        if worker_id is not UNSET:
            field_dict["workerId"] = worker_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_at = d.pop("expiresAt")

        heartbeat_at = d.pop("heartbeatAt")

        holder = d.pop("holder")

        number = d.pop("number")

        started_at = d.pop("startedAt")

        task = d.pop("task")

        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))


        def _parse_ended_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ended_at = _parse_ended_at(d.pop("endedAt", UNSET))


        def _parse_outcome(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        outcome = _parse_outcome(d.pop("outcome", UNSET))


        def _parse_stage(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        stage = _parse_stage(d.pop("stage", UNSET))


        def _parse_worker_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        worker_id = _parse_worker_id(d.pop("workerId", UNSET))


        run_attempt_data = cls(
            expires_at=expires_at,
            heartbeat_at=heartbeat_at,
            holder=holder,
            number=number,
            started_at=started_at,
            task=task,
            detail=detail,
            ended_at=ended_at,
            outcome=outcome,
            stage=stage,
            worker_id=worker_id,
        )

        return run_attempt_data

