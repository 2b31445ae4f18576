from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="SampleScore")



@_attrs_define
class SampleScore:
    """ One ranked sample: its rank order is its position in ``SamplingScoresData.samples``.

        Attributes:
            file_name (str):
            sample_id (str):
            score (float):
     """

    file_name: str
    sample_id: str
    score: float





    def to_dict(self) -> dict[str, Any]:
        file_name = self.file_name

        sample_id = self.sample_id

        score = self.score


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "fileName": file_name,
            "sampleId": sample_id,
            "score": score,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        file_name = d.pop("fileName")

        sample_id = d.pop("sampleId")

        score = d.pop("score")

        sample_score = cls(
            file_name=file_name,
            sample_id=sample_id,
            score=score,
        )

        return sample_score

