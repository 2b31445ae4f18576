from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="PredictionTaskCategoryKeypoints")



@_attrs_define
class PredictionTaskCategoryKeypoints:
    """ lightly's ``PredictionTaskSchemaCategoryKeypoints``.

        Attributes:
            id (int):
            name (str):
            keypoint_names (list[str] | None | Unset):
            keypoint_skeleton (list[list[int]] | None | Unset):
     """

    id: int
    name: str
    keypoint_names: list[str] | None | Unset = UNSET
    keypoint_skeleton: list[list[int]] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        keypoint_names: list[str] | None | Unset
        if isinstance(self.keypoint_names, Unset):
            keypoint_names = UNSET
        elif isinstance(self.keypoint_names, list):
            keypoint_names = self.keypoint_names


        else:
            keypoint_names = self.keypoint_names

        keypoint_skeleton: list[list[int]] | None | Unset
        if isinstance(self.keypoint_skeleton, Unset):
            keypoint_skeleton = UNSET
        elif isinstance(self.keypoint_skeleton, list):
            keypoint_skeleton = []
            for keypoint_skeleton_type_0_item_data in self.keypoint_skeleton:
                keypoint_skeleton_type_0_item = keypoint_skeleton_type_0_item_data


                keypoint_skeleton.append(keypoint_skeleton_type_0_item)


        else:
            keypoint_skeleton = self.keypoint_skeleton


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "id": id,
            "name": name,
        })
        if keypoint_names is not UNSET:
            field_dict["keypointNames"] = keypoint_names
        if keypoint_skeleton is not UNSET:
            field_dict["keypointSkeleton"] = keypoint_skeleton

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        def _parse_keypoint_names(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                keypoint_names_type_0 = cast(list[str], data)

                return keypoint_names_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        keypoint_names = _parse_keypoint_names(d.pop("keypointNames", UNSET))


        def _parse_keypoint_skeleton(data: object) -> list[list[int]] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                keypoint_skeleton_type_0 = []
                _keypoint_skeleton_type_0 = data
                for keypoint_skeleton_type_0_item_data in (_keypoint_skeleton_type_0):
                    keypoint_skeleton_type_0_item = cast(list[int], keypoint_skeleton_type_0_item_data)

                    keypoint_skeleton_type_0.append(keypoint_skeleton_type_0_item)

                return keypoint_skeleton_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[int]] | None | Unset, data)

        keypoint_skeleton = _parse_keypoint_skeleton(d.pop("keypointSkeleton", UNSET))


        prediction_task_category_keypoints = cls(
            id=id,
            name=name,
            keypoint_names=keypoint_names,
            keypoint_skeleton=keypoint_skeleton,
        )

        return prediction_task_category_keypoints

