from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="CropData")



@_attrs_define
class CropData:
    """ Where a ``CROP`` sample comes from: its parent sample (in the parent dataset) and the
    prediction of the task whose box it is.

        Attributes:
            parent_id (str):
            prediction_index (int):
            prediction_task_category_id (int):
            prediction_task_name (str):
            prediction_task_score (float):
            prediction_uuid_timestamp (int):
     """

    parent_id: str
    prediction_index: int
    prediction_task_category_id: int
    prediction_task_name: str
    prediction_task_score: float
    prediction_uuid_timestamp: int





    def to_dict(self) -> dict[str, Any]:
        parent_id = self.parent_id

        prediction_index = self.prediction_index

        prediction_task_category_id = self.prediction_task_category_id

        prediction_task_name = self.prediction_task_name

        prediction_task_score = self.prediction_task_score

        prediction_uuid_timestamp = self.prediction_uuid_timestamp


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "parentId": parent_id,
            "predictionIndex": prediction_index,
            "predictionTaskCategoryId": prediction_task_category_id,
            "predictionTaskName": prediction_task_name,
            "predictionTaskScore": prediction_task_score,
            "predictionUUIDTimestamp": prediction_uuid_timestamp,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        parent_id = d.pop("parentId")

        prediction_index = d.pop("predictionIndex")

        prediction_task_category_id = d.pop("predictionTaskCategoryId")

        prediction_task_name = d.pop("predictionTaskName")

        prediction_task_score = d.pop("predictionTaskScore")

        prediction_uuid_timestamp = d.pop("predictionUUIDTimestamp")

        crop_data = cls(
            parent_id=parent_id,
            prediction_index=prediction_index,
            prediction_task_category_id=prediction_task_category_id,
            prediction_task_name=prediction_task_name,
            prediction_task_score=prediction_task_score,
            prediction_uuid_timestamp=prediction_uuid_timestamp,
        )

        return crop_data

