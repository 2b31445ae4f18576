from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="DatasetEmbeddingData")



@_attrs_define
class DatasetEmbeddingData:
    """ One embedding of a dataset; ``is2d`` once its 2-D projection was computed.

        Attributes:
            created_at (int):
            id (str):
            is_processed (bool):
            name (str):
            is2d (bool | None | Unset):
     """

    created_at: int
    id: str
    is_processed: bool
    name: str
    is2d: bool | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        id = self.id

        is_processed = self.is_processed

        name = self.name

        is2d: bool | None | Unset
        if isinstance(self.is2d, Unset):
            is2d = UNSET
        else:
            is2d = self.is2d


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "createdAt": created_at,
            "id": id,
            "isProcessed": is_processed,
            "name": name,
        })
        if is2d is not UNSET:
            field_dict["is2d"] = is2d

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("createdAt")

        id = d.pop("id")

        is_processed = d.pop("isProcessed")

        name = d.pop("name")

        def _parse_is2d(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        is2d = _parse_is2d(d.pop("is2d", UNSET))


        dataset_embedding_data = cls(
            created_at=created_at,
            id=id,
            is_processed=is_processed,
            name=name,
            is2d=is2d,
        )

        return dataset_embedding_data

