"""Datasource listings filtered by relevant filenames, on LOCAL datasources of the real stack:
``relevantFilenamesFileName`` (a file in the LIGHTLY datasource, the GPU worker's rule: exact
names, ``prefix*`` lines with gitignore patterns) for raw samples, metadata and predictions (by
their sample's stem), and ``relevantFilenamesRunId`` + ``relevantFilenamesArtifactId`` (a run's
artifact); dnc shards and every page keep the filter; refusals name the parameter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser, make_user
from tests.api.hardening_helpers import assert_field_error
from tests.api.helpers import (
    create_dataset,
    insert_run,
)
from winnow_common.db.models import RunArtifact
from winnow_common.db.session import session_factory
from winnow_common.ids import now_ms

INPUT_FILES = [
    "image_1.png",
    "image_9.jpg",
    "subdir/image_2.png",
    "subdir/image_3.png",
    "subdir/image_40.png",
    "subdir/image_41.png",
    "subdir/image_42.png",
    "other/image_5.png",
    "upper/IMAGE_6.PNG",
]
# The Lightly Worker docs' example ("Specifying Relevant Files").
RELEVANT = (
    "image_1.png\nsubdir/* subdir/image_4* !subdir/image_41.png !subdir/image_42.png\n"
    "upper/* *.png\n"  # excludes '*.png'; gitignore matching ignores case only on request
)
RELEVANT_SAMPLES = [
    "image_1.png",
    "subdir/image_2.png",
    "subdir/image_3.png",
    "subdir/image_41.png",
    "subdir/image_42.png",
    "upper/IMAGE_6.PNG",
]
STEMS = [name.rsplit(".", 1)[0] for name in INPUT_FILES]
RELEVANT_STEMS = [name.rsplit(".", 1)[0] for name in RELEVANT_SAMPLES]
# A run's RELEVANT_FILENAMES artifact: plain filenames.
ARTIFACT_SAMPLES = ["image_9.jpg", "other/image_5.png"]


def _put_local(
    client: TestClient, user: ApiUser, dataset_id: str, purpose: str, path: Path
) -> None:
    body = {"purpose": purpose, "type": "LOCAL", "fullPath": str(path)}
    response = client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body)
    assert response.status_code == 200, response.text


def _write(root: Path, key: str, data: bytes) -> None:
    (root / key).parent.mkdir(parents=True, exist_ok=True)
    (root / key).write_bytes(data)


def _insert_run(dataset_id: str, user_id: str, storage_key: str) -> tuple[str, str]:
    """A COMPLETED run of the dataset with a RELEVANT_FILENAMES artifact at ``storage_key``."""
    with session_factory().begin() as session:
        run = insert_run(session, dataset_id)
        assert run.user_id == user_id
        artifact = RunArtifact(
            run_id=run.id, type="RELEVANT_FILENAMES", file_name="relevant_filenames.txt",
            storage_key=storage_key.format(run=run.id), created_at=now_ms(),
        )  # fmt: skip
        session.add(artifact)
        session.flush()
        return run.id, artifact.id


class Listed:
    """A dataset with LOCAL INPUT and LIGHTLY datasources: input images, per-sample metadata
    and ``det`` predictions for each of them, a relevant-filenames file and a run artifact."""

    def __init__(self, client: TestClient, user: ApiUser, root: Path) -> None:
        self.client, self.user = client, user
        self.dataset_id = create_dataset(client, user.params)
        self.base = f"/v1/datasets/{self.dataset_id}/datasource"
        for name in INPUT_FILES:
            _write(root / "in", name, name.encode())
        _write(root / "in", "subdir/notes.txt", b"not an image")
        self.lightly = lightly = root / "lightly"
        _write(lightly, ".lightly/relevant.txt", RELEVANT.encode())
        _write(lightly, ".lightly/metadata/schema.json", b"[]")
        _write(lightly, ".lightly/predictions/det/schema.json", b"{}")
        for stem in STEMS:
            _write(lightly, f".lightly/metadata/{stem}.json", b"{}")
            _write(lightly, f".lightly/predictions/det/{stem}.json", b"{}")
        _put_local(client, user, self.dataset_id, "INPUT", root / "in")
        _put_local(client, user, self.dataset_id, "LIGHTLY", lightly)
        with session_factory().begin() as session:
            from winnow_common.db.models import Dataset

            user_id = session.get(Dataset, self.dataset_id).user_id  # type: ignore[union-attr]
        self.run_id, self.artifact_id = _insert_run(
            self.dataset_id, user_id, ".lightly/runs/{run}/relevant_filenames.txt"
        )
        _write(
            lightly,
            f".lightly/runs/{self.run_id}/relevant_filenames.txt",
            "\n".join(ARTIFACT_SAMPLES).encode(),
        )

    def get(self, route: str, **params: Any) -> Any:
        response = self.client.get(f"{self.base}/{route}", params={**self.user.params, **params})
        assert response.status_code == 200, (route, response.text)
        return response.json()

    def read_all(self, route: str, shards: int, **params: Any) -> list[str]:
        """Every file name as lightly's client reads them: dnc cursors, then pages of one
        file each (the client sends the filter again with every cursor)."""
        cursors = self.get(f"{route}/dnc", dncShards=shards, **params)["cursors"]
        names: list[str] = []
        for cursor in cursors:
            more = True
            while more:
                page = self.get(route, cursor=cursor, pageSize=1, **params)
                names += [row["fileName"] for row in page["data"]]
                cursor, more = page["cursor"], page["hasMore"]
        return names


@pytest.fixture
def listed(client: TestClient, user: ApiUser, tmp_path: Path) -> Listed:
    return Listed(client, user, tmp_path)


def test_raw_samples_by_relevant_filenames_file(listed: Listed) -> None:
    everything = listed.read_all("list", 1)
    assert sorted(everything) == sorted(INPUT_FILES)
    relevant = {"relevantFilenamesFileName": ".lightly/relevant.txt"}
    for shards in (1, 3):
        assert sorted(listed.read_all("list", shards, **relevant)) == sorted(RELEVANT_SAMPLES)
    # One page without dnc, then the cursor alone keeps the filter.
    first = listed.get("list", pageSize=2, **relevant)
    names = [row["fileName"] for row in first["data"]]
    cursor, more = first["cursor"], first["hasMore"]
    while more:
        page = listed.get("list", cursor=cursor)
        names += [row["fileName"] for row in page["data"]]
        cursor, more = page["cursor"], page["hasMore"]
    assert sorted(names) == sorted(RELEVANT_SAMPLES)


def test_metadata_and_predictions_by_their_samples(listed: Listed) -> None:
    relevant = {"relevantFilenamesFileName": ".lightly/relevant.txt"}
    metadata = listed.read_all("metadata/list", 2, **relevant)
    assert sorted(metadata) == sorted(f".lightly/metadata/{s}.json" for s in RELEVANT_STEMS)
    predictions = listed.read_all("predictions/list", 2, taskName="det", **relevant)
    assert sorted(predictions) == sorted(
        f".lightly/predictions/det/{s}.json" for s in RELEVANT_STEMS
    )
    unfiltered = listed.read_all("metadata/list", 1)
    assert len(unfiltered) == len(STEMS)


def test_listing_by_a_runs_artifact(listed: Listed) -> None:
    by_run = {
        "relevantFilenamesRunId": listed.run_id,
        "relevantFilenamesArtifactId": listed.artifact_id,
    }
    stems = [name.rsplit(".", 1)[0] for name in ARTIFACT_SAMPLES]
    metadata = listed.read_all("metadata/list", 1, **by_run)
    assert sorted(metadata) == sorted(f".lightly/metadata/{s}.json" for s in stems)
    predictions = listed.read_all("predictions/list", 2, taskName="det", **by_run)
    assert sorted(predictions) == sorted(f".lightly/predictions/det/{s}.json" for s in stems)


def test_refusals_name_the_parameter(listed: Listed) -> None:
    def error(route: str, status: int, field: str, **params: Any) -> str:
        response = listed.client.get(
            f"{listed.base}/{route}", params={**listed.user.params, **params}
        )
        return assert_field_error(response, status, field)

    file_param = "relevantFilenamesFileName"
    missing = error("list", 404, file_param, relevantFilenamesFileName=".lightly/none.txt")
    assert "'.lightly/none.txt' does not exist" in missing
    error("metadata/list/dnc", 404, file_param, dncShards=2, relevantFilenamesFileName="x.txt")
    error("list/dnc", 400, file_param, dncShards=1, relevantFilenamesFileName="../relevant.txt")
    # A line breaking the rule (text glued to the prefix's '*').
    _write(listed.lightly, ".lightly/bad.txt", b"subdir/*.png\n")
    bad = error("list", 400, file_param, relevantFilenamesFileName=".lightly/bad.txt")
    assert "line 1" in bad
    run, artifact = "relevantFilenamesRunId", "relevantFilenamesArtifactId"
    error("metadata/list", 400, artifact, relevantFilenamesRunId=listed.run_id)
    error("metadata/list", 400, run, relevantFilenamesArtifactId=listed.artifact_id)
    both = {file_param: ".lightly/relevant.txt", run: listed.run_id, artifact: listed.artifact_id}
    error("metadata/list", 400, file_param, **both)
    error("metadata/list", 404, artifact, **{run: listed.run_id, artifact: "0" * 24})
    error(
        "predictions/list/dnc",
        404,
        run,
        taskName="det",
        dncShards=1,
        **{run: "0" * 24, artifact: listed.artifact_id},
    )
    # A cursor keeps its filter: naming another file with it is refused.
    cursor = listed.get("list", pageSize=1, relevantFilenamesFileName=".lightly/relevant.txt")[
        "cursor"
    ]
    error("list", 400, file_param, cursor=cursor, relevantFilenamesFileName=".lightly/other.txt")


def test_a_strangers_run_is_a_missing_run(
    client: TestClient, listed: Listed, tmp_path: Path
) -> None:
    stranger = make_user()
    dataset_id = create_dataset(client, stranger.params)
    _write(tmp_path / "s-lightly", ".lightly/metadata/image_9.json", b"{}")
    _put_local(client, stranger, dataset_id, "LIGHTLY", tmp_path / "s-lightly")
    by_run = {
        "relevantFilenamesRunId": listed.run_id,
        "relevantFilenamesArtifactId": listed.artifact_id,
    }
    response = client.get(
        f"/v1/datasets/{dataset_id}/datasource/metadata/list",
        params={**stranger.params, **by_run},
    )
    error = assert_field_error(response, 404, "relevantFilenamesRunId")
    assert listed.run_id in error
    # Its own listing without the filter works.
    plain = client.get(
        f"/v1/datasets/{dataset_id}/datasource/metadata/list", params=stranger.params
    )
    assert [row["fileName"] for row in plain.json()["data"]] == [".lightly/metadata/image_9.json"]
