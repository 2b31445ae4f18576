"""Wire models of the custom metadata configuration (lightly's ``ConfigurationSetRequest``,
``ConfigurationEntry`` and ``ConfigurationValueDataType``; the Configurator)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from winnow_common.schemas.base import NAME_MAX_LENGTH, WireRequest

# A dot path into a sample's custom metadata: ``weather.temperature``, ``cams[0].id``.
_PATH_PART = re.compile(r"^(?:[^.\[\]]+|\[\d+\])+$")

ConfigurationValueDataType = Literal[
    "NUMERIC_INT",
    "NUMERIC_FLOAT",
    "CATEGORICAL_STRING",
    "CATEGORICAL_INT",
    "CATEGORICAL_BOOLEAN",
    "CATEGORICAL_DATETIME",
    "CATEGORICAL_TIMESTAMP",
    "OTHER_STRING",
]


class ConfigurationEntry(WireRequest):
    """One configured metadata field: its display name, dot path, fallback and data type.

    ``defaultValue`` is required (lightly's model has no default) but may be ``null``.
    """

    name: Annotated[str, Field(min_length=1)]
    path: Annotated[str, Field(min_length=1)]
    default_value: Any = Field(...)
    value_data_type: ConfigurationValueDataType

    @field_validator("path")
    @classmethod
    def _dot_path(cls, path: str) -> str:
        if not all(_PATH_PART.match(part) for part in path.split(".")):
            raise ValueError(
                f"{path!r} is not a dot path into the custom metadata "
                "(e.g. weather.temperature or cams[0].id)"
            )
        return path

    def entry(self) -> dict[str, Any]:
        """The entry as lightly spells it (camelCase), for the table and ``schema.json``."""
        return {
            "name": self.name,
            "path": self.path,
            "defaultValue": self.default_value,
            "valueDataType": self.value_data_type,
        }


class ConfigurationSetRequest(WireRequest):
    """A named list of configuration entries."""

    name: Annotated[str, Field(max_length=NAME_MAX_LENGTH)]
    configs: list[ConfigurationEntry]
