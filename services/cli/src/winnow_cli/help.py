"""The ``--help`` text: usage, then every option of the config models with type and default."""

from __future__ import annotations

import enum
import types
import typing
from typing import Any

from pydantic import BaseModel

import winnow_cli
from winnow_common.schemas.worker_config import (
    DockerConfig,
    LightlyConfig,
    SelectionConfig,
    SelectionInput,
    SelectionStrategy,
)

PROG = "winnow-worker"
# Short explanations shown next to a few options in --help.
NOTES = {
    "stopping_condition.n_samples": (
        "a count (an integer) or a fraction of the clean images (a float up to 1.0)"
    ),
    "stopping_condition.min_distance": "stop DIVERSITY once samples are closer than this",
    "selection.strategies": "[{input: {...}, strategy: {...}}, ...], keys below",
    "checkpoint": "a checkpoint file in shared_dir's .lightly/checkpoints/",
    "embeddings": "an embeddings CSV in shared_dir's .lightly/embeddings/",
    "relevant_filenames_file": "a file in shared_dir's .lightly/ listing the files to use",
    "num_processes": "image decode processes; -1 one per CPU core",
    "output_image_format": "dump_dataset copies converted to this format (png, jpg, ...)",
    "output_image_size": "dump_dataset copies resized to at most this many pixels a side",
}
# Defaults the command line fills in where the config document has none.
CLI_DEFAULTS = {"selection.strategies": "DIVERSITY on EMBEDDINGS"}


def _type_name(annotation: Any) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " | ".join(names)
    if origin is typing.Literal:
        return "|".join(str(a) for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"dict of {_type_name(args[1])}" if len(args) == 2 else "dict"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "|".join(str(m.value) for m in annotation)
    return getattr(annotation, "__name__", str(annotation))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def option_lines(model: type[BaseModel], prefix: str = "") -> list[str]:
    """``key (type, default)`` lines for every option of a config model, nested keys dotted."""
    lines = []
    for name, field in model.model_fields.items():
        nested = _model_in(field.annotation)
        is_list = typing.get_origin(field.annotation) is list
        if nested is not None and not is_list:
            lines += option_lines(nested, f"{prefix}{name}.")
            continue
        key = f"{prefix}{name}"
        if key in CLI_DEFAULTS:
            default = f", default {CLI_DEFAULTS[key]}"
        elif field.is_required():
            default = ", required"
        else:
            value = field.get_default(call_default_factory=True)
            default = "" if value is None else f", default {value!r}"
        type_name = "YAML list" if nested is not None else _type_name(field.annotation)
        note = NOTES.get(key)
        lines.append(f"  {key} ({type_name}{default})" + (f": {note}" if note else ""))
    return lines


def help_text() -> str:
    """The --help text: usage (the package's docstring) and every override."""
    sections = [
        f"usage: {PROG} input_dir=DIR output_dir=DIR [KEY=VALUE ...]\n\n"
        + (winnow_cli.__doc__ or "").strip().replace("``", ""),
        "Directories:\n"
        "  input_dir (required): the images, read recursively\n"
        "  output_dir (required): config/, data/, filenames/, plots/, report.pdf, report.json\n"
        "  shared_dir (default input_dir): the LIGHTLY datasource whose .lightly/ folder holds\n"
        "    relevant filenames, embeddings, metadata, predictions and checkpoints",
        "Worker options (docker section):\n" + "\n".join(option_lines(DockerConfig)),
        "Lightly options:\n" + "\n".join(option_lines(LightlyConfig, "lightly.")),
        "Selection options (without selection.*, stopping_condition.n_samples selects with\n"
        "DIVERSITY on EMBEDDINGS; selection.strategies defaults to that too):\n"
        + "\n".join(option_lines(SelectionConfig, "selection.")),
        "Keys of each selection.strategies entry:\n"
        + "\n".join(option_lines(SelectionInput, "input."))
        + "\n"
        + "\n".join(option_lines(SelectionStrategy, "strategy.")),
        "Environment:\n"
        "  WORKER_DEVICE (auto|cpu|cuda, default auto)\n"
        "  WORKER_NUM_LOADER_WORKERS (image decode processes; default one per CPU core but\n"
        "    one, at most 8; num_processes or lightly.loader.num_workers take precedence)\n"
        "  WORKER_BATCH_SIZE (default 64; lightly.loader.batch_size takes precedence)\n"
        "  WORKER_INPUT_SIZE (default 64; lightly.collate.input_size takes precedence)",
    ]
    return "\n\n".join(sections) + "\n"
