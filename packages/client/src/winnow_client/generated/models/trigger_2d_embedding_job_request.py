from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.dimensionality_reduction_method import DimensionalityReductionMethod






T = TypeVar("T", bound="Trigger2DEmbeddingJobRequest")



@_attrs_define
class Trigger2DEmbeddingJobRequest:
    """ 
        Attributes:
            dimensionality_reduction_method (DimensionalityReductionMethod): lightly's ``DimensionalityReductionMethod``.
     """

    dimensionality_reduction_method: DimensionalityReductionMethod





    def to_dict(self) -> dict[str, Any]:
        dimensionality_reduction_method = self.dimensionality_reduction_method.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "dimensionalityReductionMethod": dimensionality_reduction_method,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        dimensionality_reduction_method = DimensionalityReductionMethod(d.pop("dimensionalityReductionMethod"))




        trigger_2d_embedding_job_request = cls(
            dimensionality_reduction_method=dimensionality_reduction_method,
        )

        return trigger_2d_embedding_job_request

