"""The ``selection`` section of the worker config, and the base model of every config section.

A module of its own so that ``selection_rules`` (which checks these models) and
``worker_config`` (which runs those checks when a config is parsed) both import it instead of
each other: the imports run one way, ``worker_config -> selection_rules -> selection_config``.
``worker_config`` re-exports the models.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from winnow_common.enums import SelectionInputType, SelectionStrategyType
from winnow_common.schemas.base import ObjectId


class ConfigModel(BaseModel):
    """Base of every worker config section: camelCase keys (snake_case accepted), no extras."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class SelectionInput(ConfigModel):
    type: SelectionInputType
    task: str | None = None
    score: str | None = None
    key: str | None = None
    name: str | None = None
    dataset_id: ObjectId | None = None
    tag_name: str | None = None
    random_seed: int | None = None
    categories: list[str] | None = None


class SelectionStrategy(ConfigModel):
    type: SelectionStrategyType
    # The one snake_case key on the wire: its alias equals its name.
    stopping_condition_minimum_distance: float | None = Field(
        default=None, alias="stopping_condition_minimum_distance"
    )
    threshold: float | None = None
    operation: Literal["SMALLER", "SMALLER_EQUAL", "BIGGER", "BIGGER_EQUAL"] | None = None
    target: dict[str, float] | None = None
    num_nearest_neighbors: int | None = Field(default=None, ge=2)
    stopping_condition_minimum_typicality: float | None = Field(default=None, gt=0)
    strength: float | None = Field(default=None, ge=-1e9, le=1e9)
    stopping_condition_max_sum: float | None = Field(default=None, ge=0)
    target_range: dict[str, float] | None = None
    distribution: Literal["TARGET", "UNIFORM", "INPUT"] | None = None


class SelectionEntry(ConfigModel):
    input: SelectionInput
    strategy: SelectionStrategy


class SelectionConfig(ConfigModel):
    n_samples: int | None = Field(default=None, ge=1)
    proportion_samples: float | None = Field(default=None, gt=0, le=1)
    strategies: list[SelectionEntry] = Field(min_length=1)
    lightly_path_regex: str | None = Field(default=None, min_length=1)
    auto_tasks: list[dict[str, Any]] = Field(default_factory=list)
