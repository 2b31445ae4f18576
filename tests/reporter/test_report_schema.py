"""The Report model is the contract: the committed JSON Schema is generated from it."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from tests.reporter.report_fixtures import full_document, minimal_document
from winnow_reporter.report import Report
from winnow_reporter.report.schema import SCHEMA_PATH, main, render_schema


def test_committed_schema_is_generated_from_the_model() -> None:
    assert SCHEMA_PATH.read_text() == render_schema(), (
        "report_v2.schema.json is stale: run python -m winnow_reporter.report.schema"
    )
    assert main(["--check"]) == 0


@pytest.mark.parametrize("document", [full_document, minimal_document])
def test_documents_round_trip_through_the_model(document: Any) -> None:
    doc = document()
    jsonschema.validate(doc, json.loads(SCHEMA_PATH.read_text()))
    report = Report.model_validate(doc)
    assert json.loads(report.to_json()) == doc
    assert Report.model_validate_json(report.to_json()) == report


def test_optional_sets_are_left_out_not_null() -> None:
    report = Report.model_validate(minimal_document())
    cover = json.loads(report.to_json())["datasetAnalysis"]["embeddingInformation"][
        "distanceToCoverInput"
    ]
    assert "input" not in cover and "selectedWithDatapool" not in cover
    assert report.dataset_analysis.embedding_information.distance_to_cover_input.input is None


def test_unknown_keys_are_rejected() -> None:
    doc = minimal_document()
    doc["generalInformation"]["runInformation"]["typo"] = 1
    with pytest.raises(ValidationError, match="typo"):
        Report.model_validate(doc)
    with pytest.raises(ValidationError):
        Report.model_validate(
            {
                "datasetAnalysis": {
                    "embeddingInformation": {"scatterPlotData": {"umapEmbeddingData": {"k5": {}}}}
                }
            }
        )


def test_the_summary_is_not_part_of_report_v2_json() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    assert "summary" not in schema["properties"]
    report = Report.model_validate(full_document())
    assert "summary" not in json.loads(report.to_json())
