from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.tag_arithmetics_request_operation import TagArithmeticsRequestOperation
from ..models.tag_creator import TagCreator
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="TagArithmeticsRequest")



@_attrs_define
class TagArithmeticsRequest:
    """ 
        Attributes:
            operation (TagArithmeticsRequestOperation):
            tag_id_1 (str):
            tag_id_2 (str):
            creator (None | TagCreator | Unset):
            new_tag_name (None | str | Unset):
            run_id (None | str | Unset):
     """

    operation: TagArithmeticsRequestOperation
    tag_id_1: str
    tag_id_2: str
    creator: None | TagCreator | Unset = UNSET
    new_tag_name: None | str | Unset = UNSET
    run_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        operation = self.operation.value

        tag_id_1 = self.tag_id_1

        tag_id_2 = self.tag_id_2

        creator: None | str | Unset
        if isinstance(self.creator, Unset):
            creator = UNSET
        elif isinstance(self.creator, TagCreator):
            creator = self.creator.value
        else:
            creator = self.creator

        new_tag_name: None | str | Unset
        if isinstance(self.new_tag_name, Unset):
            new_tag_name = UNSET
        else:
            new_tag_name = self.new_tag_name

        run_id: None | str | Unset
        if isinstance(self.run_id, Unset):
            run_id = UNSET
        else:
            run_id = self.run_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "operation": operation,
            "tagId1": tag_id_1,
            "tagId2": tag_id_2,
        })
        if creator is not UNSET:
            field_dict["creator"] = creator
        if new_tag_name is not UNSET:
            field_dict["newTagName"] = new_tag_name
        if run_id is not UNSET:
            field_dict["runId"] = run_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        operation = TagArithmeticsRequestOperation(d.pop("operation"))




        tag_id_1 = d.pop("tagId1")

        tag_id_2 = d.pop("tagId2")

        def _parse_creator(data: object) -> None | TagCreator | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                creator_type_0 = TagCreator(data)



                return creator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TagCreator | Unset, data)

        creator = _parse_creator(d.pop("creator", UNSET))


        def _parse_new_tag_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        new_tag_name = _parse_new_tag_name(d.pop("newTagName", UNSET))


        def _parse_run_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        run_id = _parse_run_id(d.pop("runId", UNSET))


        tag_arithmetics_request = cls(
            operation=operation,
            tag_id_1=tag_id_1,
            tag_id_2=tag_id_2,
            creator=creator,
            new_tag_name=new_tag_name,
            run_id=run_id,
        )

        return tag_arithmetics_request

