from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.job_result_type import JobResultType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="JobStatusDataResult")



@_attrs_define
class JobStatusDataResult:
    """ 
        Attributes:
            type_ (JobResultType): lightly's ``JobResultType``: the kinds of platform job Winnow runs.
            data (Any | None | Unset):
     """

    type_: JobResultType
    data: Any | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        data: Any | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        else:
            data = self.data


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "type": type_,
        })
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = JobResultType(d.pop("type"))




        def _parse_data(data: object) -> Any | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(Any | None | Unset, data)

        data = _parse_data(d.pop("data", UNSET))


        job_status_data_result = cls(
            type_=type_,
            data=data,
        )

        return job_status_data_result

