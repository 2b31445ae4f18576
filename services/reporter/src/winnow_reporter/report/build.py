"""Build the :class:`~.model.Report` of one run from its parsed output folder, once.

The shape is documented in ``services/reporter/REPORT_V2.md`` and fixed by the model (and the
schema generated from it). Every sample and the random baseline are seeded: re-running gives
the same report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from winnow_common import __version__
from winnow_common.config import ReporterSettings
from winnow_reporter.analysis.distributions import random_baseline
from winnow_reporter.analysis.savings import annotation_savings
from winnow_reporter.report.analysis_sections import (
    Sets,
    embedding_section,
    examples,
    metadata_section,
    predictions_section,
)
from winnow_reporter.report.model import (
    AnnotationSavings,
    DatasetAnalysis,
    DatasetInformation,
    DatasetSizes,
    ExamplePair,
    GeneralInformation,
    ModelInformation,
    Report,
    RunInformation,
    SelectionInformation,
    SelectionStrategy,
    WorkerInformation,
)
from winnow_reporter.report.run_folder import RunOutputs
from winnow_reporter.report.run_info import RunInfo
from winnow_reporter.report.summary import RunSummary, summarize
from winnow_reporter.report.videos import video_section

__all__ = ["build_report"]


def _summary(outputs: RunOutputs) -> RunSummary:
    return summarize(
        embeddings=outputs.embeddings,
        filenames=outputs.filenames,
        selected=outputs.selected,
        corrupt=outputs.corrupt,
        duplicates=outputs.duplicates,
        n_input=len(outputs.filenames) + len(outputs.corrupt) + len(outputs.duplicates),
    )


def _sets(outputs: RunOutputs, seed: int) -> Sets:
    index = {name: i for i, name in enumerate(outputs.filenames)}
    selected = np.array(sorted(index[n] for n in dict.fromkeys(outputs.selected)), dtype=np.int64)
    n = len(outputs.filenames)
    sets = Sets(
        input=np.arange(n, dtype=np.int64),
        selected=selected,
        random=np.asarray(random_baseline(n, len(selected), seed), dtype=np.int64),
    )
    if outputs.datapool_embeddings is not None and len(outputs.datapool_filenames):
        sets.datapool = np.arange(n, n + len(outputs.datapool_filenames), dtype=np.int64)
    return sets


def _sizes(outputs: RunOutputs, n_selected: int) -> DatasetSizes:
    info = outputs.selection_info
    n_clean = len(outputs.filenames)
    n_pool = len(outputs.datapool_filenames)
    return DatasetSizes(
        n_input=int(info.get("n_input", n_clean + len(outputs.corrupt) + len(outputs.duplicates))),
        n_corrupt=len(outputs.corrupt),
        n_duplicate=len(outputs.duplicates),
        n_removed=n_clean - n_selected,
        n_selected=n_selected,
        n_preselected_datapool=n_pool,
        n_selected_with_datapool=n_selected + n_pool,
    )


def _selection(outputs: RunOutputs) -> SelectionInformation:
    info = outputs.selection_info
    return SelectionInformation(
        stop_reason=str(info.get("stop_reason") or ""),
        strategies=[
            SelectionStrategy(
                strategy=str(s.get("strategy")),
                input=str(s.get("input")),
                strength=float(s.get("strength", 1.0)),
            )
            for s in info.get("strategies") or []
        ],
    )


def _general(
    outputs: RunOutputs,
    info: RunInfo,
    sizes: DatasetSizes,
    pairs: list[ExamplePair],
    settings: ReporterSettings,
) -> GeneralInformation:
    return GeneralInformation(
        worker_information=WorkerInformation(build_version=__version__, build_time=None),
        run_information=RunInformation(
            run_id=info.run_id,
            run_url=None,
            start_timestamp=info.started_at_ms,
            end_timestamp=info.ended_at_ms,
            total_processing_time_s=info.total_processing_time_s,
        ),
        dataset_information=DatasetInformation(
            dataset_id=info.dataset_id,
            dataset_name=info.dataset_name,
            dataset_url=None,
            dataset_sizes=sizes,
        ),
        model_information=ModelInformation(
            trained=info.model_trained, description=info.model_description
        ),
        config_summary=info.config_summary,
        selection_information=_selection(outputs),
        annotation_savings=AnnotationSavings.model_validate(
            annotation_savings(sizes.n_removed, settings)
        ),
        selected_and_removed_image_examples=pairs,
    )


def build_report(
    outputs: RunOutputs, run_info: Mapping[str, Any], settings: ReporterSettings
) -> Report:
    """The report of one run (see REPORT_V2.md), with its ``report.json`` summary.

    ``run_info`` is parsed by :meth:`RunInfo.from_mapping` (``ValueError`` for unknown or
    missing keys). Deterministic for a seed.
    """
    info = RunInfo.from_mapping(run_info)
    summary = _summary(outputs)
    sets = _sets(outputs, settings.random_seed)
    notes: list[str] = []
    sizes = _sizes(outputs, len(sets.selected))
    pairs = examples(outputs, sets, settings.random_seed) if len(outputs.filenames) else []
    if not pairs:
        notes.append("No selected/removed example pairs: the selection kept or removed everything.")
    general = _general(outputs, info, sizes, pairs, settings)
    videos = video_section(outputs, notes)
    if videos is not None:
        dataset = general.dataset_information
        dataset.video_level_sizes, dataset.video_information = videos
    analysis = DatasetAnalysis(
        embedding_information=embedding_section(outputs, sets, settings, notes),
        metadata_information=metadata_section(outputs, sets, notes),
    )
    return Report(
        general_information=general,
        dataset_analysis=analysis,
        prediction_task_information=predictions_section(outputs, sets, notes),
        notes=notes,
        summary=summary,
    )
