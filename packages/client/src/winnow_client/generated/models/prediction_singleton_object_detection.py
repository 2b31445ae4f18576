from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="PredictionSingletonObjectDetection")



@_attrs_define
class PredictionSingletonObjectDetection:
    """ 
        Attributes:
            bbox (list[float]):
            category_id (int):
            score (float):
            task_name (str):
            type_ (Literal['OBJECT_DETECTION']):
            crop_dataset_id (None | str | Unset):
            crop_sample_id (None | str | Unset):
            probabilities (list[float] | None | Unset):
     """

    bbox: list[float]
    category_id: int
    score: float
    task_name: str
    type_: Literal['OBJECT_DETECTION']
    crop_dataset_id: None | str | Unset = UNSET
    crop_sample_id: None | str | Unset = UNSET
    probabilities: list[float] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        bbox = self.bbox



        category_id = self.category_id

        score = self.score

        task_name = self.task_name

        type_ = self.type_

        crop_dataset_id: None | str | Unset
        if isinstance(self.crop_dataset_id, Unset):
            crop_dataset_id = UNSET
        else:
            crop_dataset_id = self.crop_dataset_id

        crop_sample_id: None | str | Unset
        if isinstance(self.crop_sample_id, Unset):
            crop_sample_id = UNSET
        else:
            crop_sample_id = self.crop_sample_id

        probabilities: list[float] | None | Unset
        if isinstance(self.probabilities, Unset):
            probabilities = UNSET
        elif isinstance(self.probabilities, list):
            probabilities = self.probabilities


        else:
            probabilities = self.probabilities


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "bbox": bbox,
            "categoryId": category_id,
            "score": score,
            "taskName": task_name,
            "type": type_,
        })
        if crop_dataset_id is not UNSET:
            field_dict["cropDatasetId"] = crop_dataset_id
        if crop_sample_id is not UNSET:
            field_dict["cropSampleId"] = crop_sample_id
        if probabilities is not UNSET:
            field_dict["probabilities"] = probabilities

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bbox = cast(list[float], d.pop("bbox"))


        category_id = d.pop("categoryId")

        score = d.pop("score")

        task_name = d.pop("taskName")

        type_ = cast(Literal['OBJECT_DETECTION'] , d.pop("type"))
        if type_ != 'OBJECT_DETECTION':
            raise ValueError(f"type must match const 'OBJECT_DETECTION', got '{type_}'")

        def _parse_crop_dataset_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        crop_dataset_id = _parse_crop_dataset_id(d.pop("cropDatasetId", UNSET))


        def _parse_crop_sample_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        crop_sample_id = _parse_crop_sample_id(d.pop("cropSampleId", UNSET))


        def _parse_probabilities(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                probabilities_type_0 = cast(list[float], data)

                return probabilities_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        probabilities = _parse_probabilities(d.pop("probabilities", UNSET))


        prediction_singleton_object_detection = cls(
            bbox=bbox,
            category_id=category_id,
            score=score,
            task_name=task_name,
            type_=type_,
            crop_dataset_id=crop_dataset_id,
            crop_sample_id=crop_sample_id,
            probabilities=probabilities,
        )

        return prediction_singleton_object_detection

