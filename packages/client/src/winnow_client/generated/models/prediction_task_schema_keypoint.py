from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from typing import Literal, cast

if TYPE_CHECKING:
  from ..models.prediction_task_category_keypoints import PredictionTaskCategoryKeypoints





T = TypeVar("T", bound="PredictionTaskSchemaKeypoint")



@_attrs_define
class PredictionTaskSchemaKeypoint:
    """ Keypoint detection (categories may name their keypoints).

        Attributes:
            categories (list[PredictionTaskCategoryKeypoints]):
            name (str):
            type_ (Literal['KEYPOINT_DETECTION']):
     """

    categories: list[PredictionTaskCategoryKeypoints]
    name: str
    type_: Literal['KEYPOINT_DETECTION']





    def to_dict(self) -> dict[str, Any]:
        from ..models.prediction_task_category_keypoints import PredictionTaskCategoryKeypoints # noqa: PLC0415
        categories = []
        for categories_item_data in self.categories:
            categories_item = categories_item_data.to_dict()
            categories.append(categories_item)



        name = self.name

        type_ = self.type_


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "categories": categories,
            "name": name,
            "type": type_,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.prediction_task_category_keypoints import PredictionTaskCategoryKeypoints # noqa: PLC0415
        d = dict(src_dict)
        categories = []
        _categories = d.pop("categories")
        for categories_item_data in (_categories):
            categories_item = PredictionTaskCategoryKeypoints.from_dict(categories_item_data)



            categories.append(categories_item)


        name = d.pop("name")

        type_ = cast(Literal['KEYPOINT_DETECTION'] , d.pop("type"))
        if type_ != 'KEYPOINT_DETECTION':
            raise ValueError(f"type must match const 'KEYPOINT_DETECTION', got '{type_}'")

        prediction_task_schema_keypoint = cls(
            categories=categories,
            name=name,
            type_=type_,
        )

        return prediction_task_schema_keypoint

