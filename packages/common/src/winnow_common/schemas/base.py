"""Base classes for wire models: camelCase aliases, snake_case attributes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from winnow_common.ids import OBJECT_ID_PATTERN

ObjectId = Annotated[str, Field(pattern=OBJECT_ID_PATTERN)]
EntityName = Annotated[str, Field(min_length=3, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9 _-]+$")]
TagName = Annotated[str, Field(min_length=3, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$")]
Timestamp = Annotated[int, Field(ge=0)]


class WireRequest(BaseModel):
    """A request body: camelCase on the wire, unknown keys rejected."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", use_enum_values=True
    )


class WireResponse(BaseModel):
    """A response body: serialised by alias with ``None`` fields left out.

    The lightly client rejects any key its model does not know, so responses are built from
    these explicit schemas only, never from ORM rows.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", use_enum_values=True
    )

    def to_wire(self) -> dict[str, object]:
        """The JSON-ready dict the API sends."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
