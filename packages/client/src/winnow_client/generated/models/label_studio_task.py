from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.label_studio_task_data import LabelStudioTaskData





T = TypeVar("T", bound="LabelStudioTask")



@_attrs_define
class LabelStudioTask:
    """ One Label Studio task (https://labelstud.io/guide/tasks.html, basic JSON format).

        Attributes:
            data (LabelStudioTaskData): A task's ``data``: the image URL, the sample's name, its sample data when asked for.
            id (int):
     """

    data: LabelStudioTaskData
    id: int





    def to_dict(self) -> dict[str, Any]:
        from ..models.label_studio_task_data import LabelStudioTaskData # noqa: PLC0415
        data = self.data.to_dict()

        id = self.id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "data": data,
            "id": id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.label_studio_task_data import LabelStudioTaskData # noqa: PLC0415
        d = dict(src_dict)
        data = LabelStudioTaskData.from_dict(d.pop("data"))




        id = d.pop("id")

        label_studio_task = cls(
            data=data,
            id=id,
        )

        return label_studio_task

