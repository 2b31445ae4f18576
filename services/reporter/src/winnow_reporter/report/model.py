"""The report contract: one pydantic ``Report`` model, the shape of ``report_v2.json``.

Attributes are snake_case; on the wire every key is camelCase (Lightly's names). The JSON
Schema ``report_v2.schema.json`` is generated from these models (see :mod:`.schema`).

Every field has a default, so a partial document (as tests write them) still validates and
renders, each missing section empty; the builder (:func:`winnow_reporter.report.build_report`)
always fills every section, and the schema requires every key it writes. Fields typed
``X | SkipJsonSchema[None]`` are ``None`` only in such partial documents. The optional sets of
a distribution (``input`` of the cover distances, the datapool sets) are left out of the JSON
when ``None``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from winnow_reporter.report.summary import RunSummary
from winnow_reporter.report.wire import WireModel

__all__ = [
    "SET_NAMES",
    "AnnotationSavings",
    "CategoricalDistribution",
    "CategoricalDistributionPerSet",
    "CategoricalMetrics",
    "DatasetAnalysis",
    "DatasetInformation",
    "DatasetSizes",
    "EmbeddingInformation",
    "ExampleImage",
    "ExamplePair",
    "GeneralInformation",
    "MetadataDistribution",
    "MetadataGroup",
    "MetadataInformation",
    "ModelInformation",
    "NumericDistribution",
    "NumericDistributionPerSet",
    "NumericMetrics",
    "PredictionTask",
    "Report",
    "RunInformation",
    "ScatterData",
    "ScatterPlotData",
    "SelectionInformation",
    "SelectionStrategy",
    "SetName",
    "TaskSavings",
    "VideoInformation",
    "VideoSizes",
    "WorkerInformation",
]

#: The sample sets of a distribution (wire names): this run's clean samples, its selection,
#: a random baseline of the selection's size, the preselected datapool, selection + datapool.
SetName = Literal["input", "selected", "random", "preselectedDatapool", "selectedWithDatapool"]
SET_NAMES: tuple[SetName, ...] = (
    "input",
    "selected",
    "random",
    "preselectedDatapool",
    "selectedWithDatapool",
)

#: The metadata groups (wire names): numeric ``lightly.*`` keys, custom numeric, categorical.
MetadataGroup = Literal["lightlyNumeric", "customNumeric", "customCategorical"]

Count = Annotated[int, Field(ge=0)]
Point = Annotated[list[float], Field(min_length=2, max_length=2)]
ConfigValue = str | float | int | bool


def _is_none(value: Any) -> bool:
    return value is None


# --------------------------------------------------------------------------------------
# distributions per sample set (NDPS / CDPS, see REPORT_V2.md)
# --------------------------------------------------------------------------------------


class NumericMetrics(WireModel):
    """Summary of one set's values; all ``None`` for an empty set."""

    mean: float | None = None
    std: float | None = None
    min: float | None = None
    median: float | None = None
    max: float | None = None


class NumericDistribution(WireModel):
    """One set's histogram (on the shared bins of its NDPS) and metrics."""

    counts: list[Count] = Field(default_factory=list)
    metrics: NumericMetrics = Field(default_factory=NumericMetrics)


def _optional_set() -> Any:
    return Field(default=None, exclude_if=_is_none)


_ATTRS: dict[SetName, str] = {
    "input": "input",
    "selected": "selected",
    "random": "random",
    "preselectedDatapool": "preselected_datapool",
    "selectedWithDatapool": "selected_with_datapool",
}
_Dist = TypeVar("_Dist", "NumericDistribution", "CategoricalDistribution")


class _PerSet(Generic[_Dist]):
    """Access to the sets of a distribution per set by their wire names (a mixin)."""

    def get(self, name: SetName) -> _Dist | None:
        """The distribution of set ``name``; ``None`` when the report has no such set."""
        value: _Dist | None = getattr(self, _ATTRS[name])
        return value

    def by_set(self) -> dict[SetName, _Dist]:
        """The sets present, in :data:`SET_NAMES` order."""
        return {name: d for name in SET_NAMES if (d := self.get(name)) is not None}

    def metric(self, name: SetName, metric: str) -> float | None:
        """One metric of set ``name`` by attribute name (``mean``, ``gini_imbalance``, ...);
        ``None`` when the set is absent or the metric undefined."""
        dist = self.get(name)
        value: float | None = None if dist is None else getattr(dist.metrics, metric)
        return value


class NumericDistributionPerSet(WireModel, _PerSet[NumericDistribution]):
    """NDPS: a histogram and metrics per set, every set on the same ``bins`` and ``range``."""

    bins: int = Field(default=1, ge=1)
    range: Point = Field(default_factory=lambda: [0.0, 1.0])
    input: NumericDistribution | SkipJsonSchema[None] = _optional_set()
    selected: NumericDistribution = Field(default_factory=NumericDistribution)
    random: NumericDistribution = Field(default_factory=NumericDistribution)
    preselected_datapool: NumericDistribution | SkipJsonSchema[None] = _optional_set()
    selected_with_datapool: NumericDistribution | SkipJsonSchema[None] = _optional_set()


class CategoricalMetrics(WireModel):
    """Balance of one set's category counts (``None`` for no samples or one category)."""

    gini_imbalance: float | None = None
    normalized_entropy: float | None = None


class CategoricalDistribution(WireModel):
    """One set's count per category."""

    counts: dict[str, Count] = Field(default_factory=dict)
    metrics: CategoricalMetrics = Field(default_factory=CategoricalMetrics)


class CategoricalDistributionPerSet(WireModel, _PerSet[CategoricalDistribution]):
    """CDPS: the category counts of every set."""

    input: CategoricalDistribution = Field(default_factory=CategoricalDistribution)
    selected: CategoricalDistribution = Field(default_factory=CategoricalDistribution)
    random: CategoricalDistribution = Field(default_factory=CategoricalDistribution)
    preselected_datapool: CategoricalDistribution | SkipJsonSchema[None] = _optional_set()
    selected_with_datapool: CategoricalDistribution | SkipJsonSchema[None] = _optional_set()


# --------------------------------------------------------------------------------------
# general information
# --------------------------------------------------------------------------------------


class WorkerInformation(WireModel):
    build_version: str = ""
    build_time: str | None = None


class RunInformation(WireModel):
    run_id: str = ""
    run_url: str | None = None
    start_timestamp: int | None = None
    end_timestamp: int | None = None
    total_processing_time_s: float | None = None


class DatasetSizes(WireModel):
    n_input: Count = 0
    n_corrupt: Count = 0
    n_duplicate: Count = 0
    n_removed: Count = 0
    n_selected: Count = 0
    n_preselected_datapool: Count = 0
    n_selected_with_datapool: Count = 0


class VideoSizes(WireModel):
    """One input video: its frames counted as ``datasetSizes`` counts samples, and where the
    selected frames are (seconds from the start, for the timeline)."""

    video: str
    #: frames the video has (0 for a corrupt video that could not be decoded)
    n_input: Count = 0
    n_corrupt: Count = 0
    n_duplicate: Count = 0
    n_removed: Count = 0
    n_selected: Count = 0
    fps: float | None = None
    duration_sec: float | None = None
    #: why the video could not be used; ``None`` for a usable video
    corrupt: str | None = None
    selected_frame_timestamps_sec: list[float] = Field(default_factory=list)


class VideoInformation(WireModel):
    """The input videos of a run with videos: counts of videos and frames, and every video."""

    n_videos: Count = 0
    n_corrupt_videos: Count = 0
    n_usable_videos: Count = 0
    #: frames of the usable videos
    n_frames: Count = 0
    n_selected_frames: Count = 0
    #: sequence selection only (``selectedSequenceLength`` > 1): sequences selected and their
    #: length in frames; ``None`` for a frame-level selection
    n_selected_sequences: Count | None = None
    selected_sequence_length: Count | None = None
    #: sorted by video
    videos: list[VideoSizes] = Field(default_factory=list)


class DatasetInformation(WireModel):
    dataset_id: str = ""
    dataset_name: str = ""
    dataset_url: str | None = None
    dataset_sizes: DatasetSizes = Field(default_factory=DatasetSizes)
    #: Lightly's ``videoLevelSizes``: the ``datasetSizes`` counts over videos (input videos,
    #: corrupt ones, usable ones with and without a selected frame); runs with videos only
    video_level_sizes: DatasetSizes | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_is_none
    )
    #: runs with videos only
    video_information: VideoInformation | SkipJsonSchema[None] = Field(
        default=None, exclude_if=_is_none
    )


class ModelInformation(WireModel):
    trained: bool = False
    description: str = ""


class SelectionStrategy(WireModel):
    strategy: str = ""
    input: str = ""
    strength: float = 1.0


class SelectionInformation(WireModel):
    stop_reason: str = ""
    strategies: list[SelectionStrategy] = Field(default_factory=list)


class TaskSavings(WireModel):
    """What labelling the removed images for one task type would have cost."""

    cost_savings: float = 0.0
    co2_savings: float = 0.0
    cost_per_image: float = 0.0
    seconds_per_image: float = 0.0


class AnnotationSavings(WireModel):
    image_classification: TaskSavings = Field(default_factory=TaskSavings)
    object_detection: TaskSavings = Field(default_factory=TaskSavings)
    semantic_segmentation: TaskSavings = Field(default_factory=TaskSavings)
    n_images_not_labelled: Count = 0
    co2_kg_per_hour: float = 0.0


class ExamplePair(WireModel):
    """A selected image and its nearest removed neighbour."""

    selected_image: str = ""
    removed_image: str = ""
    distance: float = 0.0


class GeneralInformation(WireModel):
    worker_information: WorkerInformation = Field(default_factory=WorkerInformation)
    run_information: RunInformation = Field(default_factory=RunInformation)
    dataset_information: DatasetInformation = Field(default_factory=DatasetInformation)
    model_information: ModelInformation = Field(default_factory=ModelInformation)
    config_summary: dict[str, ConfigValue] = Field(default_factory=dict)
    selection_information: SelectionInformation = Field(default_factory=SelectionInformation)
    #: ``None`` only in a partial document (the PDF then says there are no savings)
    annotation_savings: AnnotationSavings | SkipJsonSchema[None] = None
    selected_and_removed_image_examples: list[ExamplePair] = Field(default_factory=list)


# --------------------------------------------------------------------------------------
# dataset analysis and predictions
# --------------------------------------------------------------------------------------


class ExampleImage(WireModel):
    location: Point
    filename: str


class ScatterData(WireModel):
    """One 2-D view of a seeded sample of the input."""

    input_2d_embeddings: list[Point] = Field(default_factory=list, alias="input2dEmbeddings")
    selected_excluding_datapool_2d_embeddings: list[Point] = Field(
        default_factory=list, alias="selectedExcludingDatapool2dEmbeddings"
    )
    example_images: list[ExampleImage] = Field(default_factory=list)


class ScatterPlotData(WireModel):
    n_points: Count = 0
    n_total: Count = 0
    #: ``None`` only in a partial document (no PCA plots are drawn then)
    pca_embedding_data: ScatterData | SkipJsonSchema[None] = None
    #: UMAP views by their number of neighbours k (``"5"``, ``"15"``, ``"50"``)
    umap_embedding_data: dict[Annotated[str, Field(pattern=r"^[0-9]+$")], ScatterData] = Field(
        default_factory=dict
    )


class EmbeddingInformation(WireModel):
    distance_to_nearest_neighbor_in_set: NumericDistributionPerSet = Field(
        default_factory=NumericDistributionPerSet
    )
    distance_to_cover_input: NumericDistributionPerSet = Field(
        default_factory=NumericDistributionPerSet
    )
    scatter_plot_data: ScatterPlotData = Field(default_factory=ScatterPlotData)


MetadataDistribution = NumericDistributionPerSet | CategoricalDistributionPerSet


class MetadataInformation(WireModel):
    lightly_numeric: dict[str, NumericDistributionPerSet] = Field(default_factory=dict)
    custom_numeric: dict[str, NumericDistributionPerSet] = Field(default_factory=dict)
    custom_categorical: dict[str, CategoricalDistributionPerSet] = Field(default_factory=dict)

    def groups(self) -> tuple[tuple[MetadataGroup, Mapping[str, MetadataDistribution]], ...]:
        """The three groups by wire name, in report order."""
        return (
            ("lightlyNumeric", self.lightly_numeric),
            ("customNumeric", self.custom_numeric),
            ("customCategorical", self.custom_categorical),
        )

    def get(self, group: MetadataGroup, key: str) -> MetadataDistribution:
        """The distribution of metadata ``key`` in ``group``."""
        return dict(self.groups())[group][key]


class DatasetAnalysis(WireModel):
    embedding_information: EmbeddingInformation = Field(default_factory=EmbeddingInformation)
    metadata_information: MetadataInformation = Field(default_factory=MetadataInformation)


class PredictionTask(WireModel):
    task_type: str = ""
    category_id_to_name: dict[str, str] = Field(default_factory=dict)
    category_distribution: CategoricalDistributionPerSet = Field(
        default_factory=CategoricalDistributionPerSet
    )
    category_to_counts_per_sample: dict[str, NumericDistributionPerSet] = Field(
        default_factory=dict
    )
    active_learning_score_distributions: dict[str, NumericDistributionPerSet] = Field(
        default_factory=dict
    )


# --------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------


class Report(WireModel):
    """The full report of one run: ``report_v2.json``, read by the plots and the PDF."""

    version: Literal[2] = 2
    general_information: GeneralInformation = Field(default_factory=GeneralInformation)
    dataset_analysis: DatasetAnalysis = Field(default_factory=DatasetAnalysis)
    prediction_task_information: dict[str, PredictionTask] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    #: What ``report.json`` adds (its counts and pairwise distance histograms); not part of
    #: ``report_v2.json``, and ``None`` for a report that was not built from a run folder.
    summary: SkipJsonSchema[RunSummary | None] = Field(default=None, exclude=True)

    def to_json(self) -> str:
        """``report_v2.json``: indented, keys sorted (so re-renders give the same bytes)."""
        return json.dumps(self.model_dump(mode="json", by_alias=True), indent=2, sort_keys=True)
