"""The command line's ``key=value`` overrides, parsed into directories and a worker config."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from winnow_common.errors import WinnowError
from winnow_common.schemas.worker_config import (
    DockerConfig,
    LightlyConfig,
    SelectionConfig,
    WorkerConfigV4,
    legacy_count,
    parse_worker_config,
)

PATH_KEYS = ("input_dir", "output_dir", "shared_dir")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
_THOUSANDS = re.compile(r"^\d{1,3}(['_]\d{3})+$")
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_CAMEL_WORD = re.compile(r"\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\b")


class UsageError(Exception):
    """Bad command-line input: reported in one line, without a traceback."""


def _snake(name: str) -> str:
    return _CAMEL.sub(lambda m: "_" + m.group(1).lower(), name)


def _normalize(value: Any) -> Any:
    """Lists given as ``key.0=...`` become lists; ``50'000``/``50_000`` become 50000."""
    if isinstance(value, dict):
        out = {str(k): _normalize(v) for k, v in value.items()}
        if out and all(k.isdigit() for k in out):
            indices = sorted(out, key=int)
            if [int(i) for i in indices] != list(range(len(indices))):
                raise UsageError(f"list indices must be 0, 1, ... without gaps, got {indices}")
            return [out[i] for i in indices]
        return out
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, str) and _THOUSANDS.match(value):
        return int(value.replace("'", "").replace("_", ""))
    return value


def _cli_message(message: str) -> str:
    """A config validation message in the command line's terms: snake_case, no ``docker.``."""

    def suggest(match: re.Match[str]) -> str:
        path, guess = match.group(1), match.group(2)
        parent = path.rsplit(".", 1)[0] + "." if "." in path else ""
        return f"Option '{path}' does not exist! Did you mean '{parent}{guess}'?"

    message = re.sub(r"(?<=')docker\.", "", message)
    message = _CAMEL_WORD.sub(lambda m: _snake(m.group(0)), message)
    return re.sub(r"Option '([^']+)' does not exist! Did you mean '([^']+)'\?", suggest, message)


def _split_args(args: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    paths: dict[str, str] = {}
    overrides: list[str] = []
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep or not _KEY.match(key):
            raise UsageError(f"expected key=value arguments, got {arg!r} (see --help)")
        if key in PATH_KEYS:
            paths[key] = value
        else:
            overrides.append(arg)
    return paths, overrides


def _dotlist(overrides: list[str]) -> dict[str, Any]:
    from omegaconf import OmegaConf

    def first_line(exc: Exception) -> str:
        text = " ".join(str(exc).split())
        return text or type(exc).__name__

    try:
        container = OmegaConf.to_container(OmegaConf.from_dotlist(overrides))
    except Exception as exc:  # omegaconf and yaml errors alike
        for override in overrides:
            try:
                OmegaConf.from_dotlist([override])
            except Exception as own:
                raise UsageError(f"cannot parse {override!r}: {first_line(own)}") from None
        raise UsageError(f"cannot parse the overrides: {first_line(exc)}") from None
    raw = _normalize(container)
    assert isinstance(raw, dict)
    return raw


def _keys_of(model: type[BaseModel]) -> set[str]:
    return {n for n in model.model_fields} | {
        f.alias for f in model.model_fields.values() if f.alias
    }


def _misplaced(docker: dict[str, Any]) -> None:
    """Top-level keys of the lightly or selection section: name the prefix they need."""
    known = _keys_of(DockerConfig)
    for key in docker:
        if key in known:
            continue
        for section, model in (("lightly", LightlyConfig), ("selection", SelectionConfig)):
            if key in _keys_of(model):
                raise UsageError(
                    f"Option '{key}' does not exist! Did you mean '{section}.{_snake(key)}'?"
                )


def parse_overrides(args: Sequence[str]) -> tuple[dict[str, Path | None], WorkerConfigV4]:
    """Split ``key=value`` arguments into the three directories and a validated config."""
    raw_paths, overrides = _split_args(args)
    raw = _dotlist(overrides)
    paths = {k: Path(raw_paths[k]).expanduser() if raw_paths.get(k) else None for k in PATH_KEYS}
    if paths["input_dir"] is None or paths["output_dir"] is None:
        raise UsageError("input_dir=DIR and output_dir=DIR are required (see --help)")

    docker = raw.pop("docker", None) or {}
    if not isinstance(docker, dict):
        raise UsageError("'docker' takes options (docker.KEY=VALUE), not a value")
    lightly = raw.pop("lightly", None) or {}
    selection = raw.pop("selection", None)
    docker = {**raw, **docker}
    _misplaced(docker)
    stopping = docker.get("stopping_condition")
    legacy_n = stopping.get("n_samples") if isinstance(stopping, dict) else None
    if isinstance(selection, dict):
        # Conveniences of the command line: the default strategy is DIVERSITY on embeddings,
        # and stopping_condition.n_samples still sets the count next to selection.strategies.
        selection.setdefault(
            "strategies", [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}]
        )
        counts = ("n_samples", "nSamples", "proportion_samples", "proportionSamples")
        if isinstance(legacy_n, int | float) and not any(k in selection for k in counts):
            selection.update(legacy_count(legacy_n))
    document: dict[str, Any] = {"docker": docker, "lightly": lightly}
    if selection is not None:
        document["selection"] = selection
    try:
        config = parse_worker_config(document, require_selection=False)
    except WinnowError as exc:
        raise UsageError(_cli_message(exc.message)) from None
    if config.selection is None:
        raise UsageError(
            "say how many images to select: stopping_condition.n_samples=N (a count, or a "
            "fraction up to 1.0), selection.n_samples=N or selection.proportion_samples=P"
        )
    return paths, config
