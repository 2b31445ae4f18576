"""Base classes for wire models: camelCase aliases, snake_case attributes."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from winnow_common.ids import OBJECT_ID_PATTERN

# Dataset, worker and tag names are ``String(256)`` columns.
NAME_MAX_LENGTH = 256
ObjectId = Annotated[str, Field(pattern=OBJECT_ID_PATTERN)]
EntityName = Annotated[
    str,
    Field(min_length=3, max_length=NAME_MAX_LENGTH, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9 _-]+$"),
]
TagName = Annotated[
    str,
    Field(min_length=3, max_length=NAME_MAX_LENGTH, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$"),
]
Timestamp = Annotated[int, Field(ge=0)]

# Deeper JSON documents (custom metadata, worker configs) are refused: nothing legitimate nests
# this far, and serialising them again (JSONB) would hit Python's recursion limit.
MAX_JSON_DEPTH = 64


def text_problem(value: str) -> str | None:
    """Why PostgreSQL cannot store ``value`` as text (``None`` when it can).

    PostgreSQL text and JSONB reject NUL characters, and a lone UTF-16 surrogate (JSON allows
    ``"\\ud800"``) cannot be encoded as UTF-8 at all.
    """
    if "\x00" in value:
        return "must not contain NUL (\\u0000) characters"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain unpaired UTF-16 surrogates (\\ud800-\\udfff)"
    return None


def _describe_path(path: tuple[str | int, ...]) -> str:
    """``['key'][3]``, each key shortened so that a message stays readable."""
    return "".join(
        f"[{p}]" if isinstance(p, int) else f"[{p[:40]!r}{'...' if len(p) > 40 else ''}]"
        for p in path
    )


def json_value_problem(value: Any) -> str | None:
    """Why a JSON value cannot be stored as is (``None`` when it can), naming where inside it.

    Checks every string (keys too) with :func:`text_problem`, refuses ``NaN`` and infinities
    (Python's JSON parser accepts them and ``1e400`` becomes ``inf``; JSONB does not) and
    documents nested deeper than :data:`MAX_JSON_DEPTH`. Iterative, so any depth is safe.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if len(path) > MAX_JSON_DEPTH:
            return f"must not be nested deeper than {MAX_JSON_DEPTH} levels"
        where = f" (at {_describe_path(path)})" if path else ""
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return f"{problem}{where}"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"must be a finite number, not {item}{where}"
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str):
                    problem = text_problem(key)
                    if problem:
                        return f"key {key!r}: {problem}{where}"
                stack.append((child, (*path, str(key))))
        elif isinstance(item, list | tuple):
            stack.extend((child, (*path, i)) for i, child in enumerate(item))
    return None


class WireRequest(BaseModel):
    """A request body: camelCase on the wire, unknown keys rejected.

    Every field, nested values included, must be storable by PostgreSQL: no NUL characters,
    no lone surrogates, no ``NaN`` / infinities (a 422 naming the field, never a 500).
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", use_enum_values=True
    )

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        problem = json_value_problem(value)
        if problem:
            raise PydanticCustomError("unstorable_value", problem)
        return value


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
