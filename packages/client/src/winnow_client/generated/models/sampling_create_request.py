from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.sampling_method import SamplingMethod
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.sampling_config import SamplingConfig





T = TypeVar("T", bound="SamplingCreateRequest")



@_attrs_define
class SamplingCreateRequest:
    """ ``POST .../embeddings/{embeddingId}/sampling`` (``client.selection``).

        Attributes:
            config (SamplingConfig):
            method (SamplingMethod): lightly's ``SamplingMethod``.
            new_tag_name (str):
            preselected_tag_id (None | str | Unset):
            query_tag_id (None | str | Unset):
            row_count (float | int | None | Unset):
            score_type (None | str | Unset):
     """

    config: SamplingConfig
    method: SamplingMethod
    new_tag_name: str
    preselected_tag_id: None | str | Unset = UNSET
    query_tag_id: None | str | Unset = UNSET
    row_count: float | int | None | Unset = UNSET
    score_type: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.sampling_config import SamplingConfig # noqa: PLC0415
        config = self.config.to_dict()

        method = self.method.value

        new_tag_name = self.new_tag_name

        preselected_tag_id: None | str | Unset
        if isinstance(self.preselected_tag_id, Unset):
            preselected_tag_id = UNSET
        else:
            preselected_tag_id = self.preselected_tag_id

        query_tag_id: None | str | Unset
        if isinstance(self.query_tag_id, Unset):
            query_tag_id = UNSET
        else:
            query_tag_id = self.query_tag_id

        row_count: float | int | None | Unset
        if isinstance(self.row_count, Unset):
            row_count = UNSET
        else:
            row_count = self.row_count

        score_type: None | str | Unset
        if isinstance(self.score_type, Unset):
            score_type = UNSET
        else:
            score_type = self.score_type


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "config": config,
            "method": method,
            "newTagName": new_tag_name,
        })
        if preselected_tag_id is not UNSET:
            field_dict["preselectedTagId"] = preselected_tag_id
        if query_tag_id is not UNSET:
            field_dict["queryTagId"] = query_tag_id
        if row_count is not UNSET:
            field_dict["rowCount"] = row_count
        if score_type is not UNSET:
            field_dict["scoreType"] = score_type

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sampling_config import SamplingConfig # noqa: PLC0415
        d = dict(src_dict)
        config = SamplingConfig.from_dict(d.pop("config"))




        method = SamplingMethod(d.pop("method"))




        new_tag_name = d.pop("newTagName")

        def _parse_preselected_tag_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preselected_tag_id = _parse_preselected_tag_id(d.pop("preselectedTagId", UNSET))


        def _parse_query_tag_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        query_tag_id = _parse_query_tag_id(d.pop("queryTagId", UNSET))


        def _parse_row_count(data: object) -> float | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | int | None | Unset, data)

        row_count = _parse_row_count(d.pop("rowCount", UNSET))


        def _parse_score_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        score_type = _parse_score_type(d.pop("scoreType", UNSET))


        sampling_create_request = cls(
            config=config,
            method=method,
            new_tag_name=new_tag_name,
            preselected_tag_id=preselected_tag_id,
            query_tag_id=query_tag_id,
            row_count=row_count,
            score_type=score_type,
        )

        return sampling_create_request

