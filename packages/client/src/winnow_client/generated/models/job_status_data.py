from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.job_state import JobState
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.job_status_data_result import JobStatusDataResult





T = TypeVar("T", bound="JobStatusData")



@_attrs_define
class JobStatusData:
    """ ``GET /v1/jobs/{jobId}``; lightly polls it every ``waitTimeTillNextPoll`` seconds.

        Attributes:
            created_at (int):
            id (str):
            status (JobState): lightly's ``JobState`` (``UNKNOWN`` is never answered).
            wait_time_till_next_poll (int):
            dataset_id (None | str | Unset):
            error (None | str | Unset):
            finished_at (int | None | Unset):
            last_modified_at (int | None | Unset):
            result (JobStatusDataResult | None | Unset):
     """

    created_at: int
    id: str
    status: JobState
    wait_time_till_next_poll: int
    dataset_id: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    finished_at: int | None | Unset = UNSET
    last_modified_at: int | None | Unset = UNSET
    result: JobStatusDataResult | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.job_status_data_result import JobStatusDataResult # noqa: PLC0415
        created_at = self.created_at

        id = self.id

        status = self.status.value

        wait_time_till_next_poll = self.wait_time_till_next_poll

        dataset_id: None | str | Unset
        if isinstance(self.dataset_id, Unset):
            dataset_id = UNSET
        else:
            dataset_id = self.dataset_id

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        finished_at: int | None | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        else:
            finished_at = self.finished_at

        last_modified_at: int | None | Unset
        if isinstance(self.last_modified_at, Unset):
            last_modified_at = UNSET
        else:
            last_modified_at = self.last_modified_at

        result: dict[str, Any] | None | Unset
        if isinstance(self.result, Unset):
            result = UNSET
        elif isinstance(self.result, JobStatusDataResult):
            result = self.result.to_dict()
        else:
            result = self.result


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "createdAt": created_at,
            "id": id,
            "status": status,
            "waitTimeTillNextPoll": wait_time_till_next_poll,
        })
        if dataset_id is not UNSET:
            field_dict["datasetId"] = dataset_id
        if error is not UNSET:
            field_dict["error"] = error
        if finished_at is not UNSET:
            field_dict["finishedAt"] = finished_at
        if last_modified_at is not UNSET:
            field_dict["lastModifiedAt"] = last_modified_at
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_status_data_result import JobStatusDataResult # noqa: PLC0415
        d = dict(src_dict)
        created_at = d.pop("createdAt")

        id = d.pop("id")

        status = JobState(d.pop("status"))




        wait_time_till_next_poll = d.pop("waitTimeTillNextPoll")

        def _parse_dataset_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dataset_id = _parse_dataset_id(d.pop("datasetId", UNSET))


        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_finished_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finishedAt", UNSET))


        def _parse_last_modified_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_modified_at = _parse_last_modified_at(d.pop("lastModifiedAt", UNSET))


        def _parse_result(data: object) -> JobStatusDataResult | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = JobStatusDataResult.from_dict(data)



                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobStatusDataResult | None | Unset, data)

        result = _parse_result(d.pop("result", UNSET))


        job_status_data = cls(
            created_at=created_at,
            id=id,
            status=status,
            wait_time_till_next_poll=wait_time_till_next_poll,
            dataset_id=dataset_id,
            error=error,
            finished_at=finished_at,
            last_modified_at=last_modified_at,
            result=result,
        )

        return job_status_data

