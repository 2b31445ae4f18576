"""``report_v2.schema.json``, generated from the :class:`~.model.Report` model.

The committed file is this module's output (a test checks that it is current). To rewrite it
after changing the model::

    .venv/bin/python -m winnow_reporter.report.schema          # write
    .venv/bin/python -m winnow_reporter.report.schema --check  # exit 1 when stale

Pydantic's serialization-mode schema is reduced to plain JSON Schema: no titles, defaults or
docstrings; ``anyOf`` of simple types becomes a ``type`` list; keys checked by a pattern are
``propertyNames`` (pydantic rejects any other key); the models below stay shared
``$defs`` and every other model is written inline where it is used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from winnow_reporter.report.model import Report

__all__ = ["SCHEMA_PATH", "render_schema", "report_json_schema"]

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "report_v2.schema.json"

_HEADER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://winnow.local/schemas/report_v2.schema.json",
    "title": "Winnow report_v2.json",
    "description": (
        "The full run report, shaped like Lightly's report_v2.json "
        "(see services/reporter/REPORT_V2.md)."
    ),
}
#: Models kept as ``$defs`` (used in several places); the rest is inlined.
_SHARED = (
    "NumericMetrics",
    "NumericDistribution",
    "NumericDistributionPerSet",
    "CategoricalDistribution",
    "CategoricalDistributionPerSet",
    "ScatterData",
)
_DROPPED = frozenset({"title", "default", "description"})
_KEY_ORDER = (
    "$schema",
    "$id",
    "title",
    "description",
    "$ref",
    "type",
    "const",
    "properties",
    "items",
    "minItems",
    "maxItems",
    "minimum",
    "required",
    "propertyNames",
    "additionalProperties",
    "$defs",
)
_SUBSCHEMA = frozenset({"items", "additionalProperties", "propertyNames"})
_SUBSCHEMA_MAPS = frozenset({"properties"})


class _Reducer:
    """Turns pydantic's schema into the plain one, inlining the non-shared ``$defs``."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs

    def reduce(self, node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        if ref is not None:
            name = ref.rsplit("/", 1)[-1]
            return {"$ref": ref} if name in _SHARED else self.reduce(self.defs[name])
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED:
                continue
            if key in _SUBSCHEMA and isinstance(value, dict):
                out[key] = self.reduce(value)
            elif key in _SUBSCHEMA_MAPS:
                out[key] = {name: self.reduce(sub) for name, sub in value.items()}
            elif key == "anyOf":
                out.update(_simple_union([self.reduce(sub) for sub in value]))
            elif key == "patternProperties" and len(value) == 1:
                # pydantic validates every key against the pattern: say so, as names + values
                (pattern, sub), *_ = value.items()
                out["propertyNames"] = {"pattern": pattern}
                out["additionalProperties"] = self.reduce(sub)
            else:
                out[key] = value
        if "const" in out:
            out.pop("type", None)
        return _ordered(out)


def _simple_union(branches: list[dict[str, Any]]) -> dict[str, Any]:
    """``anyOf`` of plain ``{"type": ...}`` branches as one ``type`` list."""
    if not all(set(b) == {"type"} and isinstance(b["type"], str) for b in branches):
        return {"anyOf": branches}
    types = [b["type"] for b in branches]
    if "number" in types and "integer" in types:  # every integer is a number
        types.remove("integer")
    return {"type": types if len(types) > 1 else types[0]}


def _ordered(node: dict[str, Any]) -> dict[str, Any]:
    rank = {key: i for i, key in enumerate(_KEY_ORDER)}
    return dict(sorted(node.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``report_v2.json``, from :class:`Report` (serialization mode)."""
    raw = Report.model_json_schema(mode="serialization", by_alias=True)
    defs = raw.pop("$defs")
    reducer = _Reducer(defs)
    schema = {**_HEADER, **reducer.reduce(raw)}
    schema["$defs"] = {name: reducer.reduce(defs[name]) for name in _SHARED}
    return _ordered(schema)


def render_schema() -> str:
    """The text of ``report_v2.schema.json`` (2-space indent, trailing newline)."""
    return json.dumps(report_json_schema(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write ``report_v2.schema.json`` (or, with ``--check``, report whether it is stale)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    text = render_schema()
    if args.check:
        current = SCHEMA_PATH.read_text() if SCHEMA_PATH.exists() else ""
        if current != text:
            print(f"{SCHEMA_PATH} is stale: run python -m winnow_reporter.report.schema")
            return 1
        return 0
    SCHEMA_PATH.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
