"""openapi.json and the generated client are current, and the operation ids are stable."""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT

SCRIPTS = REPO_ROOT / "scripts"


@pytest.fixture(scope="module")
def scripts() -> Iterator[tuple[ModuleType, ModuleType]]:
    sys.path.insert(0, str(SCRIPTS))
    try:
        yield importlib.import_module("export_openapi"), importlib.import_module("generate_client")
    finally:
        sys.path.remove(str(SCRIPTS))


def test_openapi_json_is_current(scripts: tuple[ModuleType, ModuleType]) -> None:
    export_openapi, _ = scripts
    assert export_openapi.check() is None, export_openapi.check()


def test_generated_client_is_current(scripts: tuple[ModuleType, ModuleType]) -> None:
    _, generate_client = scripts
    problems = generate_client.check()
    assert not problems, "\n\n".join(problems)


def test_operation_ids_are_the_route_function_names(
    scripts: tuple[ModuleType, ModuleType],
) -> None:
    export_openapi, _ = scripts
    schema = export_openapi.build_schema()
    ids = export_openapi.operation_ids(schema)
    assert ids and export_openapi.duplicate_operation_ids(schema) == []
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", operation_id) for operation_id in ids), ids
    # Stable: identical on every build of the app, and what the generated modules are named.
    assert export_openapi.operation_ids(export_openapi.build_schema()) == ids
    committed = json.loads((REPO_ROOT / "packages/client/openapi.json").read_text())
    assert sorted(export_openapi.operation_ids(committed)) == sorted(ids)
    generated = REPO_ROOT / "packages/client/src/winnow_client/generated/api"
    modules = {p.stem for p in generated.glob("*/*.py") if p.stem != "__init__"}
    assert modules == set(ids)


def test_the_lightly_routes_have_their_operation_ids(
    scripts: tuple[ModuleType, ModuleType],
) -> None:
    """The names the convenience layer imports: renaming a route function breaks it."""
    export_openapi, _ = scripts
    paths = export_openapi.build_schema()["paths"]
    expected = {
        ("post", "/v1/datasets"): "create_dataset",
        ("get", "/v1/datasets/{datasetId}"): "get_dataset",
        ("put", "/v1/datasets/{datasetId}/datasource"): "put_datasource",
        ("post", "/v1/docker/worker/config/vX"): "create_worker_config",
        ("post", "/v1/datasets/{datasetId}/docker/worker/schedule"): "schedule_run",
        ("get", "/v1/docker/runs/schedule/{scheduledId}"): "get_run_of_scheduled_run",
        ("get", "/v1/docker/runs/{runId}/artifacts/{artifactId}/readurl"): (
            "get_artifact_read_url"
        ),
        ("get", "/v1/datasets/{datasetId}/tags/{tagId}/export/basic/filenames"): (
            "export_tag_filenames"
        ),
    }
    for (method, path), operation_id in expected.items():
        assert paths[path][method]["operationId"] == operation_id


def test_openapi_json_is_written_deterministically(
    scripts: tuple[ModuleType, ModuleType], tmp_path: Path
) -> None:
    export_openapi, _ = scripts
    out = tmp_path / "openapi.json"
    assert export_openapi.main(["--output", str(out)]) == 0
    text = out.read_text()
    assert text.endswith("}\n") and text == export_openapi.render(json.loads(text))
    assert export_openapi.main(["--check", "--output", str(out)]) == 0
    out.write_text(text.replace('"Winnow API"', '"Something else"'))
    assert export_openapi.main(["--check", "--output", str(out)]) == 1


def test_the_convenience_layer_type_checks_against_the_generated_client() -> None:
    """The generated code imports, and WinnowWorkflowClient uses it with the right types."""
    from mypy import api as mypy_api

    out, err, status = mypy_api.run(
        ["--no-incremental", "--cache-dir=/dev/null", str(REPO_ROOT / "packages/client/src")]
    )
    assert status == 0, out + err
