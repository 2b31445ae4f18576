"""Report plots rendered to PNG bytes (matplotlib Agg), read from the typed :class:`Report`.

:func:`render_plots` draws every plot of a report; :func:`plot_names` lists their file names
(as in Lightly's ``plots/`` folder), which the PDF uses too. Modules: ``style`` (colours and
figure helpers), ``names``, ``histograms`` (NDPS), ``categories`` (CDPS), ``scatter`` (2-D
views), ``examples`` (selection examples), ``videos`` (the video sampling timeline) and
``render``.
"""

from __future__ import annotations

from winnow_reporter.plots.examples import NOT_AVAILABLE_TEXT, plot_filter_decision
from winnow_reporter.plots.names import (
    PLOT_DISTANCE_AFTER,
    PLOT_DISTANCE_BEFORE,
    PLOT_DISTANCE_TO_COVER,
    PLOT_SCATTER_PCA,
    PLOT_SCATTER_PCA_NO_OVERLAY,
    PLOT_VIDEO_TIMELINE,
    PlotNames,
    ScatterView,
    plot_names,
    safe_name,
)
from winnow_reporter.plots.render import render_plots
from winnow_reporter.plots.style import (
    COLOR_DATAPOOL,
    COLOR_INPUT,
    COLOR_RANDOM,
    COLOR_REMOVED,
    COLOR_SELECTED,
    COLOR_SELECTED_WITH_DATAPOOL,
    SET_COLORS,
    SET_LABELS,
    SET_LINESTYLES,
)
from winnow_reporter.plots.videos import (
    MAX_TIMELINE_VIDEOS,
    TimelineRows,
    timeline_height_in,
    timeline_rows,
    video_timeline_plot,
)

__all__ = [
    "COLOR_DATAPOOL",
    "COLOR_INPUT",
    "COLOR_RANDOM",
    "COLOR_REMOVED",
    "COLOR_SELECTED",
    "COLOR_SELECTED_WITH_DATAPOOL",
    "MAX_TIMELINE_VIDEOS",
    "NOT_AVAILABLE_TEXT",
    "PLOT_DISTANCE_AFTER",
    "PLOT_DISTANCE_BEFORE",
    "PLOT_DISTANCE_TO_COVER",
    "PLOT_SCATTER_PCA",
    "PLOT_SCATTER_PCA_NO_OVERLAY",
    "PLOT_VIDEO_TIMELINE",
    "SET_COLORS",
    "SET_LABELS",
    "SET_LINESTYLES",
    "PlotNames",
    "ScatterView",
    "TimelineRows",
    "plot_filter_decision",
    "plot_names",
    "render_plots",
    "safe_name",
    "timeline_height_in",
    "timeline_rows",
    "video_timeline_plot",
]
