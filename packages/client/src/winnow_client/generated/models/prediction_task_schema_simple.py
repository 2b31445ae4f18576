from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.prediction_task_schema_simple_type import PredictionTaskSchemaSimpleType
from typing import cast

if TYPE_CHECKING:
  from ..models.prediction_task_category import PredictionTaskCategory





T = TypeVar("T", bound="PredictionTaskSchemaSimple")



@_attrs_define
class PredictionTaskSchemaSimple:
    """ Classification, object detection, semantic and instance segmentation.

        Attributes:
            categories (list[PredictionTaskCategory]):
            name (str):
            type_ (PredictionTaskSchemaSimpleType):
     """

    categories: list[PredictionTaskCategory]
    name: str
    type_: PredictionTaskSchemaSimpleType





    def to_dict(self) -> dict[str, Any]:
        from ..models.prediction_task_category import PredictionTaskCategory # noqa: PLC0415
        categories = []
        for categories_item_data in self.categories:
            categories_item = categories_item_data.to_dict()
            categories.append(categories_item)



        name = self.name

        type_ = self.type_.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "categories": categories,
            "name": name,
            "type": type_,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.prediction_task_category import PredictionTaskCategory # noqa: PLC0415
        d = dict(src_dict)
        categories = []
        _categories = d.pop("categories")
        for categories_item_data in (_categories):
            categories_item = PredictionTaskCategory.from_dict(categories_item_data)



            categories.append(categories_item)


        name = d.pop("name")

        type_ = PredictionTaskSchemaSimpleType(d.pop("type"))




        prediction_task_schema_simple = cls(
            categories=categories,
            name=name,
            type_=type_,
        )

        return prediction_task_schema_simple

