"""Path parameters shared by several domains' routes (24-hex ids, Lightly's camelCase names)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from winnow_common.ids import OBJECT_ID_PATTERN

DatasetId = Annotated[str, Path(alias="datasetId", pattern=OBJECT_ID_PATTERN)]
RunId = Annotated[str, Path(alias="runId", pattern=OBJECT_ID_PATTERN)]
ArtifactId = Annotated[str, Path(alias="artifactId", pattern=OBJECT_ID_PATTERN)]
SampleId = Annotated[str, Path(alias="sampleId", pattern=OBJECT_ID_PATTERN)]
