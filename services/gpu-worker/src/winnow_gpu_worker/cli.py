"""``winnow-worker``: the worker pipeline without any server, like the Lightly docker CLI.

    winnow-worker input_dir=DIR output_dir=DIR remove_exact_duplicates=True \\
        stopping_condition.n_samples=0.3 lightly.loader.batch_size=32

Overrides are omegaconf dotlists: top-level keys are the worker config (``docker`` section),
``lightly.*`` the lightly config and ``selection.*`` the selection config. The Celery task and
this command call the same pipeline; the report is rendered in-process by the reporter library.
"""

from __future__ import annotations

import sys
import time
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from winnow_common.config import worker_settings
from winnow_common.enums import RunState
from winnow_common.errors import WinnowError
from winnow_common.schemas.worker_config import (
    DockerConfig,
    LightlyConfig,
    SelectionConfig,
    WorkerConfigV4,
    parse_worker_config,
)
from winnow_common.storage import LocalStore, RunKeys
from winnow_gpu_worker.pipeline import PipelineResult, run_pipeline

PATH_KEYS = ("input_dir", "output_dir", "shared_dir")
console = Console(stderr=True)


class UsageError(Exception):
    """Bad command-line input: reported in one line, without a traceback."""


def _numeric(value: Any) -> Any:
    # The Lightly docs write counts like 50'000; accept that and 50_000.
    if isinstance(value, str) and value.replace("'", "").replace("_", "").isdigit():
        return int(value.replace("'", "").replace("_", ""))
    return value


def parse_overrides(args: Sequence[str]) -> tuple[dict[str, Path | None], WorkerConfigV4]:
    """Split ``key=value`` arguments into the three directories and a validated config."""
    bad = [a for a in args if "=" not in a]
    if bad:
        raise UsageError(f"expected key=value arguments, got {' '.join(bad)!r} (see --help)")
    try:
        raw = OmegaConf.to_container(OmegaConf.from_dotlist(list(args)))
    except OmegaConfBaseException as exc:
        raise UsageError(f"cannot parse the overrides: {exc}") from None
    assert isinstance(raw, dict)
    paths = {k: (Path(str(raw.pop(k))) if raw.get(k) is not None else None) for k in PATH_KEYS}
    if paths["input_dir"] is None or paths["output_dir"] is None:
        raise UsageError("input_dir=DIR and output_dir=DIR are required")
    stopping = raw.get("stopping_condition")
    if isinstance(stopping, dict) and "n_samples" in stopping:
        stopping["n_samples"] = _numeric(stopping["n_samples"])
    document: dict[str, Any] = {"docker": raw, "lightly": raw.pop("lightly", None) or {}}
    selection = raw.pop("selection", None)
    if selection is not None:
        document["selection"] = selection
    try:
        config = parse_worker_config(document)
    except WinnowError as exc:
        raise UsageError(exc.message) from None
    return paths, config


def _type_name(annotation: Any) -> str:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _type_name(args[0])
    if typing.get_origin(annotation) is typing.Literal:
        return "|".join(str(a) for a in typing.get_args(annotation))
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
        if nested is not None and typing.get_origin(field.annotation) is not list:
            lines += option_lines(nested, f"{prefix}{name}.")
            continue
        default = "" if field.is_required() else f", default {field.get_default()!r}"
        lines.append(f"  {prefix}{name} ({_type_name(field.annotation)}{default})")
    return lines


def help_text() -> str:
    """The --help text: usage and every override."""
    sections = [
        (__doc__ or "").strip(),
        "Directories:\n  input_dir (images, read recursively)\n  output_dir (results)\n"
        "  shared_dir (optional: .lightly/ inputs such as relevant filenames, embeddings,\n"
        "  metadata and predictions, and checkpoints; default input_dir)",
        "Worker options:\n" + "\n".join(option_lines(DockerConfig)),
        "Lightly options:\n" + "\n".join(option_lines(LightlyConfig, "lightly.")),
        "Selection options (strategies as a YAML list):\n"
        + "\n".join(option_lines(SelectionConfig, "selection.")),
    ]
    return "\n\n".join(sections)


class _ConsoleProgress:
    """Shows each stage and its progress as the pipeline reports it."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("", total=None, state="", message="")

    def __call__(self, state: RunState, message: str) -> None:
        done_total = _done_total(message)
        completed, total = done_total if done_total else (None, None)
        self.progress.update(
            self.task,
            state=state.value,
            message=message[:80],
            completed=completed or 0,
            total=total,
        )
        if done_total is None:
            self.progress.console.log(f"{state.value}: {message}")


def _done_total(message: str) -> tuple[int, int] | None:
    for word in message.split():
        left, sep, right = word.partition("/")
        if sep and left.isdigit() and right.isdigit():
            return int(left), int(right)
    return None


def run(argv: Sequence[str]) -> int:
    """Run the pipeline and the report for the given overrides; returns the exit code."""
    paths, config = parse_overrides(argv)
    input_dir, output_dir = paths["input_dir"], paths["output_dir"]
    assert input_dir is not None and output_dir is not None
    if not input_dir.is_dir():
        raise UsageError(f"input_dir {input_dir} is not a directory")
    output_dir.mkdir(parents=True, exist_ok=True)
    shared = LocalStore((paths["shared_dir"] or input_dir).resolve())
    output = LocalStore(output_dir.resolve())
    keys = RunKeys("")
    started = int(time.time() * 1000)
    columns = (
        TextColumn("[bold]{task.fields[state]:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[message]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        result: PipelineResult = run_pipeline(
            config,
            LocalStore(input_dir.resolve()),
            shared,
            keys,
            worker_settings(),
            _ConsoleProgress(progress),
            output_store=output,
        )
        progress.update(progress.task_ids[0], state="GENERATING_REPORT", message="")
        from winnow_reporter.service import config_summary, render_report

        render_report(
            output,
            keys,
            {
                "run_id": "standalone",
                "dataset_id": str(input_dir),
                "dataset_name": input_dir.name,
                "started_at_ms": started,
                "ended_at_ms": int(time.time() * 1000),
                "model_trained": result.model_trained,
                "model_description": result.model_description,
                "config_summary": config_summary(config),
            },
        )
    console.print(
        f"Selected {len(result.selected)} of {result.n_input} images "
        f"({len(result.corrupt)} corrupt, {len(result.duplicates)} exact duplicates removed)."
    )
    console.print(f"Results: {output_dir.resolve()} (report.pdf, filenames/, data/)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``winnow-worker``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(help_text())
        return 0 if args else 2
    try:
        return run(args)
    except UsageError as exc:
        console.print(f"[red]winnow-worker: error:[/red] {exc}")
        return 2
    except WinnowError as exc:
        console.print(f"[red]winnow-worker: failed:[/red] {exc.message}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
