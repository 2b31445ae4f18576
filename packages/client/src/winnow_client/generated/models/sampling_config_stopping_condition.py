from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="SamplingConfigStoppingCondition")



@_attrs_define
class SamplingConfigStoppingCondition:
    """ ``nSamples``: a count (1..N), or a fraction (0..1] of the query set; ``-1`` or absent:
    no count. ``minDistance``: CORESET/CORAL stop before a sample closer than it to the
    selection (on L2-normalised embeddings); negative or absent: no distance condition.

        Attributes:
            min_distance (float | int | None | Unset):
            n_samples (float | int | None | Unset):
     """

    min_distance: float | int | None | Unset = UNSET
    n_samples: float | int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        min_distance: float | int | None | Unset
        if isinstance(self.min_distance, Unset):
            min_distance = UNSET
        else:
            min_distance = self.min_distance

        n_samples: float | int | None | Unset
        if isinstance(self.n_samples, Unset):
            n_samples = UNSET
        else:
            n_samples = self.n_samples


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if min_distance is not UNSET:
            field_dict["minDistance"] = min_distance
        if n_samples is not UNSET:
            field_dict["nSamples"] = n_samples

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_min_distance(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        min_distance = _parse_min_distance(d.pop("minDistance", UNSET))


        def _parse_n_samples(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        n_samples = _parse_n_samples(d.pop("nSamples", UNSET))


        sampling_config_stopping_condition = cls(
            min_distance=min_distance,
            n_samples=n_samples,
        )

        return sampling_config_stopping_condition

