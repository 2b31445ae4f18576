"""The report of one run: the typed contract, built once from the run folder.

:func:`load_run_outputs` parses the folder the worker wrote, :func:`build_report` turns it
into a :class:`Report` (``report_v2.json``; the model is the contract and the JSON Schema is
generated from it), :func:`report_json` writes the simple ``report.json`` from the same report.
The plots (:mod:`winnow_reporter.plots`) and the PDF (:mod:`winnow_reporter.pdf`) read the
report's attributes.
"""

from __future__ import annotations

from winnow_reporter.report.build import build_report
from winnow_reporter.report.model import Report
from winnow_reporter.report.pairwise import Histogram
from winnow_reporter.report.run_folder import RunOutputs, load_run_outputs
from winnow_reporter.report.run_info import RunInfo
from winnow_reporter.report.simple_json import report_json, summary_of
from winnow_reporter.report.summary import RunSummary, summarize
from winnow_reporter.report.thumbnails import thumbnails_for

__all__ = [
    "Histogram",
    "Report",
    "RunInfo",
    "RunOutputs",
    "RunSummary",
    "build_report",
    "load_run_outputs",
    "report_json",
    "summarize",
    "summary_of",
    "thumbnails_for",
]
