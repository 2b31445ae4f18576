from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="PredictionSingletonSemanticSegmentation")



@_attrs_define
class PredictionSingletonSemanticSegmentation:
    """ 
        Attributes:
            category_id (int):
            score (float):
            segmentation (list[int]):
            task_name (str):
            type_ (Literal['SEMANTIC_SEGMENTATION']):
            crop_dataset_id (None | str | Unset):
            crop_sample_id (None | str | Unset):
            probabilities (list[float] | None | Unset):
     """

    category_id: int
    score: float
    segmentation: list[int]
    task_name: str
    type_: Literal['SEMANTIC_SEGMENTATION']
    crop_dataset_id: None | str | Unset = UNSET
    crop_sample_id: None | str | Unset = UNSET
    probabilities: list[float] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        category_id = self.category_id

        score = self.score

        segmentation = self.segmentation



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
            "categoryId": category_id,
            "score": score,
            "segmentation": segmentation,
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
        category_id = d.pop("categoryId")

        score = d.pop("score")

        segmentation = cast(list[int], d.pop("segmentation"))


        task_name = d.pop("taskName")

        type_ = cast(Literal['SEMANTIC_SEGMENTATION'] , d.pop("type"))
        if type_ != 'SEMANTIC_SEGMENTATION':
            raise ValueError(f"type must match const 'SEMANTIC_SEGMENTATION', got '{type_}'")

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


        prediction_singleton_semantic_segmentation = cls(
            category_id=category_id,
            score=score,
            segmentation=segmentation,
            task_name=task_name,
            type_=type_,
            crop_dataset_id=crop_dataset_id,
            crop_sample_id=crop_sample_id,
            probabilities=probabilities,
        )

        return prediction_singleton_semantic_segmentation

