from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.artifact_storage_location import ArtifactStorageLocation
from ..models.artifact_type import ArtifactType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RunArtifactData")



@_attrs_define
class RunArtifactData:
    """ 
        Attributes:
            file_name (str):
            id (str):
            type_ (ArtifactType):
            created_at (int | None | Unset):
            storage_location (ArtifactStorageLocation | None | Unset):
     """

    file_name: str
    id: str
    type_: ArtifactType
    created_at: int | None | Unset = UNSET
    storage_location: ArtifactStorageLocation | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        file_name = self.file_name

        id = self.id

        type_ = self.type_.value

        created_at: int | None | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        storage_location: None | str | Unset
        if isinstance(self.storage_location, Unset):
            storage_location = UNSET
        elif isinstance(self.storage_location, ArtifactStorageLocation):
            storage_location = self.storage_location.value
        else:
            storage_location = self.storage_location


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "fileName": file_name,
            "id": id,
            "type": type_,
        })
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if storage_location is not UNSET:
            field_dict["storageLocation"] = storage_location

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        file_name = d.pop("fileName")

        id = d.pop("id")

        type_ = ArtifactType(d.pop("type"))




        def _parse_created_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        created_at = _parse_created_at(d.pop("createdAt", UNSET))


        def _parse_storage_location(data: object) -> ArtifactStorageLocation | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                storage_location_type_0 = ArtifactStorageLocation(data)



                return storage_location_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ArtifactStorageLocation | None | Unset, data)

        storage_location = _parse_storage_location(d.pop("storageLocation", UNSET))


        run_artifact_data = cls(
            file_name=file_name,
            id=id,
            type_=type_,
            created_at=created_at,
            storage_location=storage_location,
        )

        return run_artifact_data

