"""The base of the report's wire models: camelCase keys on the wire, snake_case attributes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["WireModel"]


class WireModel(BaseModel):
    """camelCase keys on the wire, snake_case attributes, no unknown keys."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="forbid",
        # the schema describes the written JSON: a key with a default is still always written
        json_schema_serialization_defaults_required=True,
    )
