from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="ActiveLearningScoreCreateRequest")



@_attrs_define
class ActiveLearningScoreCreateRequest:
    """ Scores of a tag's samples, in the tag's sample (bit) order (``upload_scores``).

        Attributes:
            score_type (str):
            scores (list[float]):
     """

    score_type: str
    scores: list[float]





    def to_dict(self) -> dict[str, Any]:
        score_type = self.score_type

        scores = self.scores




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "scoreType": score_type,
            "scores": scores,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        score_type = d.pop("scoreType")

        scores = cast(list[float], d.pop("scores"))


        active_learning_score_create_request = cls(
            score_type=score_type,
            scores=scores,
        )

        return active_learning_score_create_request

