"""WinnowWorkflowClient's platform methods (lightly's names) against the running stack: real API,
GPU worker (sampling jobs) and reporter processes, S3 (SeaweedFS) and PostgreSQL.

Embeddings CSVs round-trip byte-equal; ``selection`` waits for a real sampling job whose tag holds
the engine's picks; exports list every tagged file with a URL that serves it; predictions and
custom metadata land as ``.lightly/`` files the listings find; the listings and the
processed-until timestamp see the bucket's files; and every method name is lightly's, with
lightly's parameter names.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from tests.api.helpers import insert_tag
from tests.flow.conftest import (
    Api,
    ImageSet,
    lightly_python,  # noqa: F401 - the real client's venv
    make_image_set,
    upload,
)
from tests.flow.lightly_venv import client_env, run_checked
from winnow_client import (
    EmbeddingDoesNotExistError,
    SelectionConfig,
    TagDoesNotExistError,
    WinnowApiError,
    WinnowWorkflowClient,
)
from winnow_client.generated.api.embeddings import get_write_csv_url
from winnow_client.generated.api.samples import get_mappings
from winnow_client.generated.models import (
    GetMappingsField,
    PredictionSingletonClassification,
    PredictionTaskCategory,
    PredictionTaskSchemaSimple,
    PredictionTaskSchemaSimpleType,
    WriteCSVUrlData,
)
from winnow_common.db.models import MetadataConfiguration
from winnow_common.db.session import session_factory
from winnow_common.enums import SelectionInputType, SelectionStrategyType
from winnow_common.schemas.selection_config import (
    SelectionEntry,
    SelectionInput,
    SelectionStrategy,
)
from winnow_common.tags import bitmask_to_indices
from winnow_gpu_worker.ml.embed import l2_normalize
from winnow_gpu_worker.ml.selection import ResolvedStrategy
from winnow_gpu_worker.ml.selection import select as engine_select

pytestmark = pytest.mark.flow

# The ApiWorkflowClient methods of lightly 1.5.26 this part of Winnow's client adds.
PLATFORM_METHODS = (
    "upload_embeddings",
    "append_embeddings",
    "get_all_embedding_data",
    "get_embedding_by_name",
    "get_embedding_data_by_name",
    "set_embedding_id_to_latest",
    "download_embeddings_csv",
    "download_embeddings_csv_by_id",
    "upload_file_with_signed_url",
    "selection",
    "upload_scores",
    "delete_tag_by_id",
    "delete_tag_by_name",
    "export_label_studio_tasks_by_tag_id",
    "export_label_studio_tasks_by_tag_name",
    "export_label_box_data_rows_by_tag_id",
    "export_label_box_data_rows_by_tag_name",
    "export_label_box_v4_data_rows_by_tag_id",
    "export_label_box_v4_data_rows_by_tag_name",
    "create_or_update_prediction_task_schema",
    "create_or_update_prediction",
    "create_custom_metadata_config",
    "download_raw_samples",
    "download_new_raw_samples",
    "download_raw_metadata",
    "download_raw_metadata_iter",
    "download_raw_predictions",
    "download_raw_predictions_iter",
    "get_metadata_read_url",
    "get_prediction_read_url",
    "get_custom_embedding_read_url",
    "get_processed_until_timestamp",
    "update_processed_until_timestamp",
)
TASK = "weather"
DIM = 6


def _client(api: Api) -> WinnowWorkflowClient:
    return WinnowWorkflowClient(api.user.token, server_location=api.url)


def _fetch(url: str) -> bytes:
    response = httpx.get(url, follow_redirects=True, timeout=30)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response.content


def _write_csv(path: Path, names: list[str], rows: np.ndarray) -> bytes:
    """lightly's embeddings CSV, written as ``csv.writer`` writes it; returns its bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["filenames", *(f"embedding_{i}" for i in range(rows.shape[1])), "labels"])
    for i, (name, row) in enumerate(zip(names, rows, strict=True)):
        writer.writerow([name, *(repr(float(v)) for v in row), i % 2])
    data = buffer.getvalue().encode()
    path.write_bytes(data)
    return data


def _image_names(images: ImageSet) -> list[str]:
    return sorted(n for n in images.files if not n.endswith(".txt"))


def _dataset_with_sources(
    client: WinnowWorkflowClient, services: dict[str, str], s3: Any, images: ImageSet
) -> None:
    upload(s3, services["S3_INPUT_BUCKET"], images)
    client.create_dataset(f"platform-client {time.time_ns()}")
    for purpose, bucket in (("INPUT", "S3_INPUT_BUCKET"), ("LIGHTLY", "S3_LIGHTLY_BUCKET")):
        client.set_obs_config(
            f"obs://{services[bucket]}/{images.prefix}",
            services["S3_ENDPOINT_URL"],
            services["S3_ACCESS_KEY_ID"],
            services["S3_SECRET_ACCESS_KEY"],
            purpose=purpose,
        )


def test_every_method_is_lightlys_with_lightlys_parameters(lightly_python: Path) -> None:  # noqa: F811
    probe = (
        "import inspect, json, sys; from lightly.api import ApiWorkflowClient as C; "
        "print(json.dumps({n: list(inspect.signature(getattr(C, n)).parameters)[1:] "
        "for n in sys.argv[1:] if hasattr(C, n)}))"
    )
    out = run_checked(
        [str(lightly_python), "-c", probe, *PLATFORM_METHODS], timeout=120, env=client_env({})
    )
    lightly = json.loads(out.strip().splitlines()[-1])
    assert sorted(lightly) == sorted(PLATFORM_METHODS)
    for name in PLATFORM_METHODS:
        ours = list(inspect.signature(getattr(WinnowWorkflowClient, name)).parameters)[1:]
        assert ours == lightly[name], (name, ours, lightly[name])


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def _check_no_embeddings_yet(client: WinnowWorkflowClient, tmp_path: Path) -> None:
    assert client.get_all_embedding_data() == []
    with pytest.raises(RuntimeError, match="no known embeddings"):
        client.set_embedding_id_to_latest()
    with pytest.raises(RuntimeError, match="Could not find embeddings"):
        client.download_embeddings_csv(str(tmp_path / "none.csv"))


def test_embeddings_upload_append_download(
    api: Api, services: dict[str, str], tmp_path: Path
) -> None:
    client = _client(api)
    client.create_dataset(f"embeddings-client {time.time_ns()}")
    _check_no_embeddings_yet(client, tmp_path)
    rng = np.random.default_rng(3)
    names = [f"img_{i:02d}.png" for i in rng.permutation(6)]
    sent = _write_csv(tmp_path / "e.csv", names, rng.normal(size=(6, DIM)).astype(np.float32))

    # A new dataset: the upload creates its samples in the file's order; the CSV comes back
    # byte-equal, by id.
    client.upload_embeddings(str(tmp_path / "e.csv"), name="my-embeddings")
    first_id = client.embedding_id
    assert client.get_filenames() == names
    [data] = client.get_all_embedding_data()
    assert (data.id, data.name, data.is_processed) == (first_id, "my-embeddings", True)
    client.download_embeddings_csv_by_id(first_id, str(tmp_path / "back.csv"))
    assert (tmp_path / "back.csv").read_bytes() == sent

    assert client.get_embedding_by_name("my-emb").id == first_id  # a prefix, as in lightly
    with pytest.raises(EmbeddingDoesNotExistError):
        client.get_embedding_by_name("my-emb", ignore_suffix=False)
    assert client.get_embedding_data_by_name("my-embeddings").id == first_id
    with pytest.raises(ValueError, match="no embeddings with name"):
        client.get_embedding_data_by_name("my-emb")

    # The same name again: the server's rows are appended to the local file (a local row wins),
    # two new files follow the dataset's samples, and the new embedding gets a dated name.
    local_names = [names[2], "new_a.png", names[0], "new_b.png"]
    local = rng.normal(size=(4, DIM)).astype(np.float32)
    _write_csv(tmp_path / "more.csv", local_names, local)
    client.upload_embeddings(str(tmp_path / "more.csv"), name="my-embeddings")
    second_id = client.embedding_id
    assert second_id != first_id
    assert client.get_filenames() == [*names, "new_a.png", "new_b.png"]
    second = client.get_all_embedding_data()[0]  # newest first
    assert second.id == second_id and second.name.startswith("my-embeddings_")
    merged = _rows((tmp_path / "more.csv").read_bytes())
    by_name = {row[0]: row for row in merged[1:]}
    assert [row[0] for row in merged[1:]] == [*names, "new_a.png", "new_b.png"]
    assert by_name[names[2]][1] == repr(float(local[0][0]))  # the local row replaced the server's
    client.download_embeddings_csv_by_id(second_id, str(tmp_path / "second.csv"))
    assert _rows((tmp_path / "second.csv").read_bytes()) == merged

    _check_default_and_signed_upload(client, tmp_path, sent)


def _check_default_and_signed_upload(
    client: WinnowWorkflowClient, tmp_path: Path, sent: bytes
) -> None:
    """download_embeddings_csv takes the newest ``default...``; a raw signed upload reads back."""
    full = _rows((tmp_path / "more.csv").read_bytes())
    with (tmp_path / "default.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(full)
    client.upload_embeddings(str(tmp_path / "default.csv"), name="default_20260101_00h00m00s")
    default_id = client.embedding_id
    client.embedding_id = None
    client.set_embedding_id_to_latest()
    assert client.embedding_id == default_id
    client.download_embeddings_csv(str(tmp_path / "latest.csv"))
    assert (tmp_path / "latest.csv").read_bytes() == (tmp_path / "default.csv").read_bytes()

    target = get_write_csv_url.sync(client.dataset_id, client=client.api, name="raw-upload")
    assert isinstance(target, WriteCSVUrlData)
    with (tmp_path / "default.csv").open("rb") as fh:
        answer = client.upload_file_with_signed_url(fh, target.signed_write_url)
    assert answer.status_code == 200
    client.download_embeddings_csv_by_id(target.embedding_id, str(tmp_path / "raw.csv"))
    assert (tmp_path / "raw.csv").read_bytes() == (tmp_path / "default.csv").read_bytes()
    assert sent  # the first upload's bytes were checked byte-equal above


def _embedded_dataset(
    client: WinnowWorkflowClient, tmp_path: Path, names: list[str]
) -> tuple[np.ndarray, str]:
    """Samples from an uploaded embeddings CSV of ``names`` and an ``initial-tag`` of all of
    them (as a run makes); the rows in sample order and the tag's id."""
    rows = np.random.default_rng(11).normal(size=(len(names), DIM)).astype(np.float32)
    _write_csv(tmp_path / "embeddings.csv", names, rows)
    client.upload_embeddings(str(tmp_path / "embeddings.csv"), name="uploaded")
    assert client.get_filenames() == names
    initial = insert_tag(client.dataset_id, "initial-tag", hex((1 << len(names)) - 1), len(names))
    return rows, initial


@pytest.mark.filterwarnings("ignore:ApiWorkflowClient.selection:DeprecationWarning")
def test_selection_scores_and_tag_deletion(
    api: Api, services: dict[str, str], tmp_path: Path
) -> None:
    client = _client(api)
    client.create_dataset(f"selection-client {time.time_ns()}")
    names = [f"s_{i:02d}.jpg" for i in range(12)]
    rows, initial = _embedded_dataset(client, tmp_path, names)
    client.embedding_id = None  # selection() takes the newest embedding

    with pytest.warns(DeprecationWarning):
        coreset = client.selection(
            SelectionConfig(method="CORESET", n_samples=4, name="coreset-pick")
        )
    assert coreset.name == "coreset-pick" and coreset.tot_size == len(names)
    assert coreset.prev_tag_id == initial
    diversity = SelectionEntry(
        input=SelectionInput(type=SelectionInputType.EMBEDDINGS),
        strategy=SelectionStrategy(type=SelectionStrategyType.DIVERSITY),
    )
    picks = engine_select([ResolvedStrategy(entry=diversity, values=l2_normalize(rows))], 4)
    assert bitmask_to_indices(coreset.bit_mask_data) == sorted(picks.indices)
    with pytest.raises(RuntimeError, match="already exists"):
        client.selection(SelectionConfig(n_samples=2, name="coreset-pick"))

    # Active learning on uploaded scores (numpy, in the tag's order): the top-scored samples.
    scores = np.array([float((i * 5) % len(names)) for i in range(len(names))])
    client.upload_scores({"uncertainty_margin": scores}, query_tag_id=initial)
    active = client.selection(
        SelectionConfig(method="ACTIVE_LEARNING", n_samples=3, name="al-pick"),
        query_tag_id=initial,
    )
    top = sorted(range(len(names)), key=lambda i: (-scores[i], i))[:3]
    assert bitmask_to_indices(active.bit_mask_data) == sorted(top)
    assert sorted(client.get_filenames_in_tag(active)) == sorted(names[i] for i in top)

    # Tags: a leaf by name and by id; the root tag is refused (409).
    client.delete_tag_by_name("coreset-pick")
    client.delete_tag_by_id(active.id)
    assert [t.name for t in client.get_all_tags()] == ["initial-tag"]
    with pytest.raises(WinnowApiError) as refused:
        client.delete_tag_by_id(initial)
    assert refused.value.status == 409
    with pytest.raises(TagDoesNotExistError):
        client.delete_tag_by_name("coreset-pick")


def _check_exports(client: WinnowWorkflowClient, images: ImageSet, names: list[str]) -> None:
    """Every tagged file is exported once, by tag id and by name, with a URL that serves its
    bytes without a token (URLs are signed per call, so only names are compared across calls)."""
    tag_id = client.get_tag_by_name("initial-tag").id
    studio = client.export_label_studio_tasks_by_tag_name("initial-tag")
    by_id = client.export_label_studio_tasks_by_tag_id(tag_id)
    assert [(t["id"], t["data"]["lightlyFileName"]) for t in studio] == [
        (t["id"], t["data"]["lightlyFileName"]) for t in by_id
    ]
    assert sorted(task["data"]["lightlyFileName"] for task in studio) == sorted(names)
    assert sorted(task["id"] for task in studio) == list(range(len(names)))
    for task in studio:
        assert _fetch(task["data"]["image"]) == images.files[task["data"]["lightlyFileName"]]

    with pytest.warns(DeprecationWarning):
        box = client.export_label_box_data_rows_by_tag_id(tag_id)
    with pytest.warns(DeprecationWarning):
        box_by_name = client.export_label_box_data_rows_by_tag_name("initial-tag")
    assert [r["externalId"] for r in box_by_name] == [r["externalId"] for r in box]
    assert sorted(row["externalId"] for row in box) == sorted(names)
    row = box[0]
    assert _fetch(row["imageUrl"]) == images.files[row["externalId"]]

    v4 = client.export_label_box_v4_data_rows_by_tag_id(tag_id)
    v4_by_name = client.export_label_box_v4_data_rows_by_tag_name("initial-tag")
    assert [r["global_key"] for r in v4_by_name] == [r["global_key"] for r in v4]
    assert sorted(row["global_key"] for row in v4) == sorted(names)
    assert {row["media_type"] for row in v4} == {"IMAGE"}
    row = v4[-1]
    assert _fetch(row["row_data"]) == images.files[row["global_key"]]


def _check_predictions(client: WinnowWorkflowClient, names: list[str]) -> None:
    """A classification task's schema and one prediction per sample land as files under
    ``.lightly/predictions/<task>/``; the listing finds them and the read URLs serve them."""
    categories = [
        PredictionTaskCategory(id=0, name="sunny"),
        PredictionTaskCategory(id=1, name="rainy"),
    ]
    schema = PredictionTaskSchemaSimple(
        name=TASK, type_=PredictionTaskSchemaSimpleType.CLASSIFICATION, categories=categories
    )
    client.create_or_update_prediction_task_schema(schema)
    sample_ids = get_mappings.sync(
        client.dataset_id, client=client.api, field=GetMappingsField("_id")
    )
    assert isinstance(sample_ids, list) and len(sample_ids) == len(names)
    for i, sample_id in enumerate(sample_ids):
        singleton = PredictionSingletonClassification(
            type_="CLASSIFICATION", task_name=TASK, category_id=i % 2, score=0.75
        )
        # A generated model or its wire dict: both are accepted.
        as_dict = {"type": "CLASSIFICATION", "taskName": TASK, "categoryId": i % 2, "score": 0.75}
        client.create_or_update_prediction(str(sample_id), [singleton if i % 2 else as_dict])
    stems = {f".lightly/predictions/{TASK}/{Path(n).with_suffix('.json')}": n for n in names}
    listed = client.download_raw_predictions(TASK)
    assert sorted(name for name, _ in listed) == sorted(stems)
    sharded = client.download_raw_predictions_iter(TASK, divide_and_conquer_shards=2)
    assert sorted(name for name, _ in sharded) == sorted(stems)
    file_name, url = sorted(listed)[0]
    document = json.loads(_fetch(url))
    index = client.get_filenames().index(stems[file_name])
    assert document["file_name"] == stems[file_name]
    assert document["predictions"][0]["category_id"] == index % 2
    short = file_name.removeprefix(".lightly/predictions/")
    assert json.loads(_fetch(client.get_prediction_read_url(short))) == document


def _check_metadata(client: WinnowWorkflowClient, names: list[str]) -> None:
    """API-uploaded custom metadata lands as ``.lightly/metadata/`` files the listing finds;
    the metadata configuration is stored."""
    client.upload_custom_metadata(
        {
            "images": [{"file_name": n, "id": i} for i, n in enumerate(names)],
            "metadata": [
                {"image_id": i, "weather": {"temperature": 10.0 + i}} for i in range(len(names))
            ],
        }
    )
    stems = {f".lightly/metadata/{Path(n).with_suffix('.json')}": n for n in names}
    listed = client.download_raw_metadata()
    assert sorted(name for name, _ in listed) == sorted(stems)
    sharded = client.download_raw_metadata_iter(divide_and_conquer_shards=3)
    assert sorted(name for name, _ in sharded) == sorted(stems)
    file_name, url = sorted(listed)[-1]
    document = json.loads(_fetch(url))
    assert document["metadata"]["weather"]["temperature"] == 10.0 + names.index(stems[file_name])
    short = file_name.removeprefix(".lightly/metadata/")
    assert json.loads(_fetch(client.get_metadata_read_url(short))) == document

    config = [
        {
            "name": "Temperature",
            "path": "weather.temperature",
            "defaultValue": 0.0,
            "valueDataType": "NUMERIC_FLOAT",
        }
    ]
    created = client.create_custom_metadata_config("weather", config)
    with session_factory().begin() as session:
        stored = session.get(MetadataConfiguration, created.id)
        assert stored is not None and stored.dataset_id == client.dataset_id
        assert (stored.name, stored.configs) == ("weather", config)


def _check_listing(
    client: WinnowWorkflowClient, services: dict[str, str], s3: Any, images: ImageSet
) -> None:
    """The datasource's files (one shard or three), new files after the processed-until
    timestamp, and a custom embeddings file under ``.lightly/embeddings/``."""
    expected = _image_names(images)
    listed = client.download_raw_samples()
    assert sorted(name for name, _ in listed) == expected
    assert (
        sorted(n for n, _ in client.download_raw_samples(divide_and_conquer_shards=3)) == expected
    )
    name, url = listed[0]
    assert _fetch(url) == images.files[name]

    assert client.get_processed_until_timestamp() == 0
    assert sorted(n for n, _ in client.download_new_raw_samples()) == expected
    first_to = client.get_processed_until_timestamp()
    assert abs(first_to - time.time()) < 60
    time.sleep(1.5)
    late = f"{images.prefix}/late/late.png"
    s3.put_object(Bucket=services["S3_INPUT_BUCKET"], Key=late, Body=images.files[expected[0]])
    time.sleep(1.1)
    assert [n for n, _ in client.download_new_raw_samples()] == ["late/late.png"]
    time.sleep(1.1)
    assert client.download_new_raw_samples() == []
    client.update_processed_until_timestamp(first_to)
    assert client.get_processed_until_timestamp() == first_to
    assert [n for n, _ in client.download_new_raw_samples()] == ["late/late.png"]

    body = b"filenames,embedding_0,labels\na/img_00.jpg,0.5,0\n"
    key = f"{images.prefix}/.lightly/embeddings/custom.csv"
    s3.put_object(Bucket=services["S3_LIGHTLY_BUCKET"], Key=key, Body=body)
    assert _fetch(client.get_custom_embedding_read_url("custom.csv")) == body


def test_exports_predictions_metadata_and_listing(
    api: Api, services: dict[str, str], s3: Any, tmp_path: Path
) -> None:
    client = _client(api)
    images = make_image_set(n_good=8)
    _dataset_with_sources(client, services, s3, images)
    names = sorted(n for n in images.files if n.startswith(("a/", "b/")))
    _embedded_dataset(client, tmp_path, names)
    _check_exports(client, images, names)
    _check_predictions(client, names)
    _check_metadata(client, names)
    _check_listing(client, services, s3, images)
