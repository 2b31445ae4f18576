"""The worker config document (Lightly's ``DockerWorkerConfigV4`` plus the documented legacy keys).

Keys arrive camelCase (the lightly client converts them); snake_case field names are accepted too.
Unknown keys are rejected with the closest valid key, like the lightly client's own check.
The ``selection`` section's models live in ``selection_config`` (re-exported here), so that
``selection_rules`` can check them without importing this module.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, ValidationError, model_validator

from winnow_common.enums import SelectionInputType, SelectionStrategyType
from winnow_common.errors import InvalidWorkerConfig
from winnow_common.schemas.base import EntityName, ObjectId
from winnow_common.schemas.datasource_paths import (
    embeddings_path_problem,
    relevant_filenames_problem,
)
from winnow_common.schemas.selection_config import ConfigModel

# The selection models, re-exported ("X as X") for callers that import them from here.
from winnow_common.schemas.selection_config import SelectionConfig as SelectionConfig
from winnow_common.schemas.selection_config import SelectionEntry as SelectionEntry
from winnow_common.schemas.selection_config import SelectionInput as SelectionInput
from winnow_common.schemas.selection_config import SelectionStrategy as SelectionStrategy
from winnow_common.schemas.selection_rules import selection_problems

Fraction = Annotated[float, Field(ge=0, le=1)]


DEFAULT_CORRUPTION_THRESHOLD = 0.1


class CorruptnessCheckConfig(ConfigModel):
    corruption_threshold: Fraction = DEFAULT_CORRUPTION_THRESHOLD


class InputExpirationConfig(ConfigModel):
    min_days_to_expiration: float = Field(ge=0)
    handling_strategy: Literal["SKIP", "ABORT"]


class DatasourceOptions(ConfigModel):
    bypass_verify: bool = False
    enable_datapool_update: bool = True
    process_all: bool = False
    input_expiration: InputExpirationConfig | None = None


class CropsConfig(ConfigModel):
    enable_upload: bool = True
    enable_upload_for_tasks: list[str] | None = None


class TrainingConfig(ConfigModel):
    task_name: str | None = None


DEFAULT_OBJECT_PADDING = 0.1
# lightly's pattern of a crop's ``predictionTaskName`` (the client refuses other names).
TASK_NAME_PATTERN = r"^[a-zA-Z0-9_+=,.@:\/-]+$"


class ObjectLevelConfig(ConfigModel):
    """Object-level selection (2022 ``object_level``): select crops of a task's boxes.

    ``padding`` enlarges each box's width and height by that fraction; the crops go to the
    dataset ``cropDatasetName`` (default ``<dataset name>-crops``).
    """

    task_name: str = Field(pattern=TASK_NAME_PATTERN)
    crop_dataset_name: EntityName | None = None
    padding: float = Field(default=DEFAULT_OBJECT_PADDING, ge=0)


def legacy_count(n_samples: int | float) -> dict[str, int | float]:
    """The selection count a legacy ``stopping_condition.n_samples`` means: a float up to 1.0
    is a fraction of the input (``proportion_samples``), anything else a count (``n_samples``).
    """
    if isinstance(n_samples, float) and n_samples <= 1:
        return {"proportion_samples": n_samples}
    return {"n_samples": int(n_samples)}


class StoppingCondition(ConfigModel):
    """Legacy ``stopping_condition``: ``n_samples`` is a count (an integer) or a fraction of the
    input (a float up to 1.0: ``1.0`` is 100 %, the seeds' "remove exact duplicates" recipe)."""

    # int before float: an integer stays an int (a count), 1.0 stays a float (a fraction).
    n_samples: int | float | None = Field(default=None, gt=0)
    min_distance: float | None = Field(default=None, ge=0)


class DockerConfig(ConfigModel):
    """The ``docker`` section: V4 typed keys plus the 2022 documented keys."""

    checkpoint: str | None = None
    checkpoint_run_id: ObjectId | None = None
    corruptness_check: CorruptnessCheckConfig | None = None
    datasource: DatasourceOptions | None = None
    crops: CropsConfig | None = None
    embeddings: str | None = None
    object_level: ObjectLevelConfig | None = None
    enable_training: bool = False
    training: TrainingConfig | None = None
    normalize_embeddings: bool = True
    num_processes: int | None = Field(default=None, ge=-1)
    num_threads: int | None = Field(default=None, ge=-1)
    output_image_format: str | None = None
    pretagging: bool = False
    pretagging_upload: bool = False
    relevant_filenames_file: str | None = None
    selected_sequence_length: int = Field(default=1, ge=1)
    upload_report: bool = True
    use_datapool: bool = False
    shutdown_when_job_finished: bool = False
    cache_size: int | None = Field(default=None, ge=-1)
    # Legacy (documented 2022) keys; both checks are on unless turned off.
    enable_corruptness_check: bool = True
    remove_exact_duplicates: bool = True
    stopping_condition: StoppingCondition | None = None
    dump_dataset: bool = False
    output_image_size: int | None = Field(default=None, ge=1)
    n_example_images: int = Field(default=6, ge=0)


class LoaderConfig(ConfigModel):
    batch_size: int | None = Field(default=None, ge=1)
    shuffle: bool | None = None
    num_workers: int | None = Field(default=None, ge=-1)
    drop_last: bool | None = None


class ModelConfig(ConfigModel):
    name: Literal["resnet-18", "resnet-34", "resnet-50", "resnet-101", "resnet-152"] | None = None
    out_dim: int | None = Field(default=None, ge=1)
    num_ftrs: int | None = Field(default=None, ge=1)
    width: int | None = Field(default=None, ge=1)


class TrainerConfig(ConfigModel):
    gpus: int | None = Field(default=None, ge=0)
    max_epochs: int | None = Field(default=None, ge=0)
    precision: Literal[16, 32] | None = None


class CriterionConfig(ConfigModel):
    temperature: float | None = Field(default=None, gt=0)


class OptimizerConfig(ConfigModel):
    lr: float | None = Field(default=None, ge=0)
    weight_decay: Fraction | None = None


class CollateConfig(ConfigModel):
    input_size: int | None = Field(default=None, ge=1)
    cj_prob: Fraction | None = None
    cj_bright: Fraction | None = None
    cj_contrast: Fraction | None = None
    cj_sat: Fraction | None = None
    cj_hue: Fraction | None = None
    min_scale: Fraction | None = None
    random_gray_scale: Fraction | None = None
    gaussian_blur: Fraction | None = None
    kernel_size: float | None = Field(default=None, ge=0)
    sigmas: list[float] | None = None
    vf_prob: Fraction | None = None
    hf_prob: Fraction | None = None
    rr_prob: Fraction | None = None
    rr_degrees: list[float] | None = None


class CheckpointCallbackConfig(ConfigModel):
    save_last: bool | None = None


class LightlyConfig(ConfigModel):
    """The ``lightly`` section (SSL training and embedding settings)."""

    seed: int | None = None
    checkpoint_callback: CheckpointCallbackConfig | None = None
    loader: LoaderConfig | None = None
    model: ModelConfig | None = None
    trainer: TrainerConfig | None = None
    criterion: CriterionConfig | None = None
    optimizer: OptimizerConfig | None = None
    collate: CollateConfig | None = None


class WorkerConfigV4(ConfigModel):
    """The whole ``config`` of a V4 worker config create request."""

    worker_type: Literal["FULL"] = "FULL"
    docker: DockerConfig = Field(default_factory=DockerConfig)
    lightly: LightlyConfig = Field(default_factory=LightlyConfig)
    selection: SelectionConfig | None = None

    @model_validator(mode="after")
    def _legacy_stopping_condition_sets_the_count(self) -> WorkerConfigV4:
        legacy = self.docker.stopping_condition
        if self.selection is None and legacy is not None and legacy.n_samples is not None:
            self.selection = SelectionConfig(
                **legacy_count(legacy.n_samples),
                strategies=[
                    SelectionEntry(
                        input=SelectionInput(type=SelectionInputType.EMBEDDINGS),
                        strategy=SelectionStrategy(type=SelectionStrategyType.DIVERSITY),
                    )
                ],
            )
        return self


def _embedding_tasks(cfg: WorkerConfigV4) -> list[tuple[int, str]]:
    """(position, task) of every EMBEDDINGS input naming a task (object-level selection)."""
    strategies = cfg.selection.strategies if cfg.selection is not None else []
    return [
        (i, entry.input.task)
        for i, entry in enumerate(strategies)
        if entry.input.type == SelectionInputType.EMBEDDINGS and entry.input.task is not None
    ]


def object_level_task(cfg: WorkerConfigV4) -> str | None:
    """The prediction task whose crops an object-level run selects (``docker.objectLevel`` or
    the EMBEDDINGS inputs' ``task``); None for a run that selects whole images and frames."""
    if cfg.docker.object_level is not None:
        return cfg.docker.object_level.task_name
    tasks = _embedding_tasks(cfg)
    return tasks[0][1] if tasks else None


def object_level_padding(cfg: WorkerConfigV4) -> float:
    """How much an object's box grows (a fraction of its width and height) before cropping."""
    level = cfg.docker.object_level
    return level.padding if level is not None else DEFAULT_OBJECT_PADDING


def crop_dataset_name(cfg: WorkerConfigV4) -> str | None:
    """The crops dataset's name the config asks for (None: ``<dataset name>-crops``)."""
    level = cfg.docker.object_level
    return level.crop_dataset_name if level is not None else None


def _object_level_problems(cfg: WorkerConfigV4) -> list[str]:
    """One task per run: every EMBEDDINGS ``task`` and ``docker.objectLevel.taskName`` agree;
    no sequences and no user embeddings (those are of whole images)."""
    problems: list[str] = []
    tasks = _embedding_tasks(cfg)
    first = tasks[0][1] if tasks else None
    problems += [
        f"'selection.strategies[{i}].input.task': {task!r} differs from {first!r} of "
        f"'selection.strategies[{tasks[0][0]}].input.task'; object-level selection selects "
        "the crops of one task, so every EMBEDDINGS input must name the same task"
        for i, task in tasks[1:]
        if task != first
    ]
    level = cfg.docker.object_level
    if level is not None and first is not None and level.task_name != first:
        problems.append(
            f"'docker.objectLevel.taskName': {level.task_name!r} differs from the EMBEDDINGS "
            f"input's task {first!r} ('selection.strategies[{tasks[0][0]}].input.task'); "
            "name the same task in both, or leave one out"
        )
    problems += [
        f"'selection.strategies[{i}].input.task': {task!r} is not a valid task name "
        "(letters, digits and _+=,.@:/- only)"
        for i, task in tasks
        if not re.fullmatch(TASK_NAME_PATTERN, task)
    ]
    if object_level_task(cfg) is None:
        return problems
    if cfg.docker.selected_sequence_length > 1:
        problems.append(
            "'docker.selectedSequenceLength': object-level selection (crops of a task) is not "
            "supported together with selectedSequenceLength > 1"
        )
    if cfg.docker.embeddings:
        problems.append(
            "'docker.embeddings': custom embeddings are of whole images; object-level selection "
            "embeds the crops itself, leave 'docker.embeddings' out"
        )
    return problems


def _sequence_problems(cfg: WorkerConfigV4) -> list[str]:
    """Sequences (``selectedSequenceLength`` L > 1): whole sequences are selected, so a count
    is a multiple of L (a proportion is rounded up to one by the worker); frames are never
    dropped one by one, so neither check that removes single frames may run (as in Lightly)."""
    length = cfg.docker.selected_sequence_length
    if length <= 1:
        return []
    problems = [
        f"'docker.{key}' is not supported together with selectedSequenceLength > 1 "
        f"(it removes single frames from sequences); set it to false"
        for key, on in (
            ("enableCorruptnessCheck", cfg.docker.enable_corruptness_check),
            ("removeExactDuplicates", cfg.docker.remove_exact_duplicates),
        )
        if on
    ]
    n_samples = cfg.selection.n_samples if cfg.selection is not None else None
    if n_samples is not None and n_samples % length:
        problems.append(
            f"'selection.nSamples': {n_samples} is not a multiple of the sequence length "
            f"{length} ('docker.selectedSequenceLength'); whole sequences are selected, so "
            f"give a multiple such as {max(length, n_samples - n_samples % length)}"
        )
    return problems


def _count_problems(cfg: WorkerConfigV4) -> list[str]:
    """How many to select: exactly one of nSamples and proportionSamples (seed 004: "setting
    both or none of them will cause an error"); a legacy count must be a whole number."""
    problems: list[str] = []
    legacy = cfg.docker.stopping_condition
    count = legacy.n_samples if legacy is not None else None
    if isinstance(count, float) and count > 1 and not count.is_integer():
        problems.append(
            "'docker.stoppingCondition.nSamples': give a whole number of samples or a fraction "
            f"of the input up to 1.0, not {count}"
        )
    sel = cfg.selection
    if sel is not None and (sel.n_samples is None) == (sel.proportion_samples is None):
        which = "both" if sel.n_samples is not None else "neither"
        problems.append(
            f"'selection.nSamples' / 'selection.proportionSamples': set exactly one of them "
            f"(nSamples > 0 or 0 < proportionSamples <= 1), not {which}"
        )
    return problems


def _selection_problems(cfg: WorkerConfigV4) -> list[str]:
    return selection_problems(cfg.selection.strategies) if cfg.selection is not None else []


def _path_problems(cfg: WorkerConfigV4) -> list[str]:
    # Lightly's default config sends "" for unset paths; the worker treats "" as unset too.
    docker = cfg.docker
    problems = [
        relevant_filenames_problem(docker.relevant_filenames_file)
        if docker.relevant_filenames_file
        else None,
        embeddings_path_problem(docker.embeddings) if docker.embeddings else None,
    ]
    return [p for p in problems if p is not None]


# Features whose semantics Winnow does not (yet) implement: refused clearly instead of silently
# ignored. Every other key of the model is honoured by the worker pipeline.
def _unsupported_features(cfg: WorkerConfigV4) -> list[str]:
    docker = cfg.docker
    problems: list[str] = []
    if docker.pretagging or docker.pretagging_upload:
        problems.append("'docker.pretagging' is not supported (no pretagging model ships)")
    if docker.enable_training and docker.embeddings:
        problems.append("'docker.enableTraining' is only possible when no embeddings are passed")
    if docker.use_datapool and docker.enable_training:
        problems.append("'docker.useDatapool' is not supported together with training")
    if cfg.selection is not None and cfg.selection.auto_tasks:
        problems.append("'selection.autoTasks' is not yet supported")
    problems += _object_level_problems(cfg) + _sequence_problems(cfg)
    check = docker.corruptness_check
    if check is not None and check.corruption_threshold != DEFAULT_CORRUPTION_THRESHOLD:
        # Lightly Worker 2.7 deprecated the knob and aborts unless it keeps its default.
        problems.append(
            "'docker.corruptnessCheck.corruptionThreshold' is deprecated and must stay "
            f"{DEFAULT_CORRUPTION_THRESHOLD}: filter decoding artefacts with a THRESHOLD "
            "strategy on METADATA 'lightly.uniformRowRatio' instead"
        )
    return problems


def parse_worker_config(
    config: dict[str, Any], *, require_selection: bool = True
) -> WorkerConfigV4:
    """Validate a V4 config document, raising ``InvalidWorkerConfig`` with a readable message.

    Unknown keys name the closest valid key ("did you mean"); a selection needs ``nSamples``
    or ``proportionSamples``.
    """
    try:
        cfg = WorkerConfigV4.model_validate(config)
    except ValidationError as exc:
        raise InvalidWorkerConfig(_describe_validation_error(exc)) from None
    problems = _unsupported_features(cfg) + _path_problems(cfg) + _selection_problems(cfg)
    if require_selection and cfg.selection is None:
        problems.append(
            "'selection' is required: give nSamples or proportionSamples and strategies"
        )
    problems += _count_problems(cfg)
    if problems:
        raise InvalidWorkerConfig("; ".join(problems))
    return cfg


def _describe_validation_error(exc: ValidationError) -> str:
    messages = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = _format_loc(loc)
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            valid = _valid_keys_at(WorkerConfigV4, loc[:-1])
            snake_to_alias = {_to_snake(v): v for v in valid}
            guess = difflib.get_close_matches(key, valid, n=1, cutoff=0.5) or [
                snake_to_alias[m]
                for m in difflib.get_close_matches(key, list(snake_to_alias), n=1, cutoff=0.5)
            ]
            hint = f" Did you mean '{guess[0]}'?" if guess else ""
            messages.append(f"Option '{path}' does not exist!{hint}")
        else:
            messages.append(f"'{path}': {err['msg']}")
    return "; ".join(messages)


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _to_snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _valid_keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = next(
            (f for n, f in current.model_fields.items() if part in (n, f.alias)),
            None,
        )
        current = _model_in(field.annotation) if field is not None else None
    if current is None:
        return []
    return [f.alias or n for n, f in current.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, list, Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
