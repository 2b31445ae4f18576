"""``winnow-worker``: the worker pipeline without any server, like the Lightly docker CLI.

    winnow-worker input_dir=DIR output_dir=DIR remove_exact_duplicates=True \\
        stopping_condition.n_samples=0.3 lightly.loader.batch_size=32

Overrides are omegaconf/hydra-style ``key=value`` dotlists in snake_case (camelCase works
too): top-level keys are the worker config (the ``docker`` section, a ``docker.`` prefix is
optional), ``lightly.*`` the lightly config and ``selection.*`` the selection config. Values
are YAML, so ``selection.strategies`` takes a YAML/JSON list:

    winnow-worker input_dir=DIR output_dir=DIR selection.n_samples=50 \\
        selection.strategies='[{input: {type: RANDOM, randomSeed: 1}, strategy: {type: WEIGHTS}}]'

The Celery task and this command call the same pipeline; the report (report.pdf, report.json,
plots/) is rendered in-process by the reporter library. Exit codes: 0 done, 1 the run failed,
2 bad command line.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import sys
import time
import types
import typing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Column

from winnow_common.config import WorkerSettings
from winnow_common.enums import RunState
from winnow_common.errors import WinnowError
from winnow_common.schemas.worker_config import (
    DockerConfig,
    LightlyConfig,
    SelectionConfig,
    SelectionInput,
    SelectionStrategy,
    WorkerConfigV4,
    parse_worker_config,
)
from winnow_common.storage import LocalStore, RunKeys

if TYPE_CHECKING:
    from winnow_gpu_worker.pipeline import PipelineResult

PATH_KEYS = ("input_dir", "output_dir", "shared_dir")
PROG = "winnow-worker"
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
_THOUSANDS = re.compile(r"^\d{1,3}(['_]\d{3})+$")
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_CAMEL_WORD = re.compile(r"\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\b")
# Short explanations shown next to a few options in --help.
NOTES = {
    "stopping_condition.n_samples": "a count (>= 1) or a fraction of the clean images (< 1)",
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


class UsageError(Exception):
    """Bad command-line input: reported in one line, without a traceback."""


# --- parsing -------------------------------------------------------------------------------


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
            selection["n_samples" if legacy_n >= 1 else "proportion_samples"] = legacy_n
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
            "fraction < 1), selection.n_samples=N or selection.proportion_samples=P"
        )
    return paths, config


# --- help ----------------------------------------------------------------------------------


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
    """The --help text: usage and every override."""
    sections = [
        f"usage: {PROG} input_dir=DIR output_dir=DIR [KEY=VALUE ...]\n\n"
        + (__doc__ or "").strip().replace("``", ""),
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


# --- settings and stores -------------------------------------------------------------------


def _cpus() -> int:
    return os.cpu_count() or 1


def cli_settings(config: WorkerConfigV4) -> WorkerSettings:
    """``WORKER_*`` settings for a command line run on this machine.

    The environment is read fresh (not the cached server settings). Without
    ``WORKER_NUM_LOADER_WORKERS`` the images are decoded by one process per CPU core but one
    (at most 8); ``lightly.loader.num_workers`` overrides both (``docker.num_processes``, read
    by the pipeline, overrides everything).
    """
    settings = WorkerSettings()
    workers: int | None = None
    loader = config.lightly.loader
    if loader is not None and loader.num_workers is not None:
        workers = _cpus() if loader.num_workers == -1 else loader.num_workers
    elif not any(k.upper() == "WORKER_NUM_LOADER_WORKERS" for k in os.environ):
        workers = max(0, min(8, _cpus() - 1))
    if workers is not None:
        settings = settings.model_copy(update={"num_loader_workers": workers})
    return settings


class _InputStore(LocalStore):
    """The input directory without the output directory when that lies inside it."""

    def __init__(self, root: Path, exclude: str | None) -> None:
        super().__init__(root)
        self.exclude = exclude

    def list_files(self, prefix: str = "") -> list[str]:
        files = super().list_files(prefix)
        if not self.exclude:
            return files
        return [f for f in files if not f.startswith(self.exclude + "/")]


def _check_dirs(paths: dict[str, Path | None]) -> tuple[Path, Path, Path]:
    input_dir, output_dir = paths["input_dir"], paths["output_dir"]
    assert input_dir is not None and output_dir is not None
    shared_dir = paths["shared_dir"] or input_dir
    for key, path in (("input_dir", input_dir), ("shared_dir", shared_dir)):
        if not path.is_dir():
            raise UsageError(f"{key} {path} is not a directory")
    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"output_dir {output_dir} is not a directory")
    input_dir, output_dir = input_dir.resolve(), output_dir.resolve()
    if output_dir == input_dir:
        raise UsageError("output_dir must not be input_dir (use a subfolder or another folder)")
    return input_dir, output_dir, shared_dir.resolve()


# --- progress ------------------------------------------------------------------------------


def _done_total(message: str) -> tuple[int, int] | None:
    for word in message.split():
        left, sep, right = word.strip(",.;:()").partition("/")
        if sep and left.isdigit() and right.isdigit() and int(right) > 0:
            return int(left), int(right)
    return None


class ConsoleProgress:
    """One progress bar per pipeline state, updated from the state callback's messages.

    Messages with a ``done/total`` count move the bar; every other message is printed above the
    bars.
    """

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}
        self.current: TaskID | None = None

    def _task(self, name: str) -> TaskID:
        task = self.tasks.get(name)
        if task is None:
            self.finish()
            task = self.progress.add_task(name, total=None, message="")
            self.tasks[name] = task
        self.current = task
        return task

    def finish(self) -> None:
        """Fill the current state's bar: the pipeline moved on."""
        if self.current is None:
            return
        total = self.progress.tasks[self._index(self.current)].total or 1
        self.progress.update(self.current, total=total, completed=total)

    def _index(self, task: TaskID) -> int:
        return next(i for i, t in enumerate(self.progress.tasks) if t.id == task)

    def __call__(self, state: RunState | str, message: str) -> None:
        name = state.value if isinstance(state, RunState) else str(state)
        task = self._task(name)
        counts = _done_total(message)
        if counts is not None:
            done, total = counts
            self.progress.update(task, completed=done, total=total, message=message)
        else:
            self.progress.update(task, message=message)
            self.progress.console.print(
                f"[bold]{name}[/bold]: {escape(message)}", highlight=False, soft_wrap=True
            )


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}", table_column=Column(min_width=20)),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn(
            "{task.fields[message]}",
            markup=False,
            table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis"),
        ),
        console=console,
        expand=True,
    )


@contextmanager
def _log_to(console: Console) -> Iterator[None]:
    """Route warnings of the libraries through the console, above the progress bars."""
    handler = RichHandler(console=console, show_path=False, show_time=False, markup=False)
    handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)


# --- running -------------------------------------------------------------------------------


def run(argv: Sequence[str], console: Console | None = None) -> PipelineResult:
    """Run the pipeline and the report for the given overrides."""
    console = console or Console(stderr=True)
    paths, config = parse_overrides(argv)
    input_dir, output_dir, shared_dir = _check_dirs(paths)
    try:
        # Imported here so that --help and command line errors answer without loading torch.
        from winnow_gpu_worker.pipeline import run_pipeline
        from winnow_reporter.service import config_summary, render_report
    except ImportError as exc:
        raise WinnowError(f"cannot load the worker: {exc}") from exc
    exclude = None
    if output_dir.is_relative_to(input_dir):
        exclude = output_dir.relative_to(input_dir).as_posix()
    output_dir.mkdir(parents=True, exist_ok=True)
    output = LocalStore(output_dir)
    keys = RunKeys("")
    started = int(time.time() * 1000)
    with _log_to(console), _progress(console) as progress:
        on_state = ConsoleProgress(progress)
        result = run_pipeline(
            config,
            _InputStore(input_dir, exclude),
            LocalStore(shared_dir),
            keys,
            cli_settings(config),
            on_state,
            output_store=output,
        )
        on_state(RunState.GENERATING_REPORT, "Rendering report.pdf, report.json and report_v2.json")
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
            LocalStore(input_dir).read,
        )
        on_state.finish()
    console.print(
        f"Selected {len(result.selected)} of {result.n_input} images "
        f"({len(result.corrupt)} corrupt, {len(result.duplicates)} exact duplicates removed); "
        f"stopped: {result.stop_reason}.",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"Results in {output_dir} (report.pdf, filenames/, data/)",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
    return result


def _error(kind: str, message: str) -> None:
    # One line on stderr, never wrapped: scripts and people grep for it.
    sys.stderr.write(f"{PROG}: {kind}: {' '.join(str(message).split())}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``winnow-worker``; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in args) or args[:1] == ["help"]:
        sys.stdout.write(help_text())
        return 0
    if not args:
        sys.stderr.write(help_text())
        return 2
    try:
        run(args, Console(stderr=True))
    except UsageError as exc:
        _error("error", str(exc))
        return 2
    except WinnowError as exc:
        _error("failed", exc.message)
        return 1
    except OSError as exc:
        _error("failed", str(exc))
        return 1
    except KeyboardInterrupt:
        _error("failed", "interrupted")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
