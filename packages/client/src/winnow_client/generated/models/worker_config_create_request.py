from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.creator import Creator
from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast

if TYPE_CHECKING:
  from ..models.config import Config





T = TypeVar("T", bound="WorkerConfigCreateRequest")



@_attrs_define
class WorkerConfigCreateRequest:
    """ ``DockerWorkerConfigOmniVXCreateRequest``: the config itself is validated separately.

        Attributes:
            config (Config):
            version (Literal['V4']):
            creator (Creator | None | Unset):
     """

    config: Config
    version: Literal['V4']
    creator: Creator | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.config import Config # noqa: PLC0415
        config = self.config.to_dict()

        version = self.version

        creator: None | str | Unset
        if isinstance(self.creator, Unset):
            creator = UNSET
        elif isinstance(self.creator, Creator):
            creator = self.creator.value
        else:
            creator = self.creator


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "config": config,
            "version": version,
        })
        if creator is not UNSET:
            field_dict["creator"] = creator

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.config import Config # noqa: PLC0415
        d = dict(src_dict)
        config = Config.from_dict(d.pop("config"))




        version = cast(Literal['V4'] , d.pop("version"))
        if version != 'V4':
            raise ValueError(f"version must match const 'V4', got '{version}'")

        def _parse_creator(data: object) -> Creator | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                creator_type_0 = Creator(data)



                return creator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Creator | None | Unset, data)

        creator = _parse_creator(d.pop("creator", UNSET))


        worker_config_create_request = cls(
            config=config,
            version=version,
            creator=creator,
        )

        return worker_config_create_request

