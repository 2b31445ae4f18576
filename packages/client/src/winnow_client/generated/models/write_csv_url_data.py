from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="WriteCSVUrlData")



@_attrs_define
class WriteCSVUrlData:
    """ Where to PUT the embeddings CSV (signed, token-free) and the new embedding's id.

        Attributes:
            embedding_id (str):
            signed_write_url (str):
     """

    embedding_id: str
    signed_write_url: str





    def to_dict(self) -> dict[str, Any]:
        embedding_id = self.embedding_id

        signed_write_url = self.signed_write_url


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "embeddingId": embedding_id,
            "signedWriteUrl": signed_write_url,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        embedding_id = d.pop("embeddingId")

        signed_write_url = d.pop("signedWriteUrl")

        write_csv_url_data = cls(
            embedding_id=embedding_id,
            signed_write_url=signed_write_url,
        )

        return write_csv_url_data

