from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.sampling_config_stopping_condition import SamplingConfigStoppingCondition





T = TypeVar("T", bound="SamplingConfig")



@_attrs_define
class SamplingConfig:
    """ 
        Attributes:
            stopping_condition (None | SamplingConfigStoppingCondition | Unset):
     """

    stopping_condition: None | SamplingConfigStoppingCondition | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.sampling_config_stopping_condition import SamplingConfigStoppingCondition # noqa: PLC0415
        stopping_condition: dict[str, Any] | None | Unset
        if isinstance(self.stopping_condition, Unset):
            stopping_condition = UNSET
        elif isinstance(self.stopping_condition, SamplingConfigStoppingCondition):
            stopping_condition = self.stopping_condition.to_dict()
        else:
            stopping_condition = self.stopping_condition


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if stopping_condition is not UNSET:
            field_dict["stoppingCondition"] = stopping_condition

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sampling_config_stopping_condition import SamplingConfigStoppingCondition # noqa: PLC0415
        d = dict(src_dict)
        def _parse_stopping_condition(data: object) -> None | SamplingConfigStoppingCondition | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                stopping_condition_type_0 = SamplingConfigStoppingCondition.from_dict(data)



                return stopping_condition_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SamplingConfigStoppingCondition | Unset, data)

        stopping_condition = _parse_stopping_condition(d.pop("stoppingCondition", UNSET))


        sampling_config = cls(
            stopping_condition=stopping_condition,
        )

        return sampling_config

