"""Wire routes 29-33: sample read URLs, dataset sharing, the partial sample list and custom
metadata updates."""

from __future__ import annotations

from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.world import (
    World,
    error_body,
    fetch_without_token,
    json_of,
    new_dataset,
)
from winnow_common.db.models import Sample
from winnow_common.db.session import session_factory
from winnow_common.ids import new_object_id

# --- 29: sample read URLs -----------------------------------------------------------------


@covers(29)
def test_sample_read_url(world: World) -> None:
    url = json_of(
        world.call(
            29, params={"type": "full"}, datasetId=world.dataset_id, sampleId=world.sample_ids[1]
        )
    )
    assert isinstance(url, str)
    download = fetch_without_token(world, url)
    assert download.status_code == 200, download.text
    assert download.content == world.images[world.file_names[1]]
    missing = world.call(
        29,
        params={"type": "full"},
        datasetId=world.dataset_id,
        sampleId=new_object_id(),
        expect=404,
    )
    error_body(missing, 404)


# --- 30, 31: collaboration ----------------------------------------------------------------


@covers(30, 31)
def test_share_and_read_back(world: World) -> None:
    dataset_id = new_dataset(world)
    assert json_of(world.call(31, datasetId=dataset_id)) == []
    users = ["a@example.com", "b@example.com"]
    body = {"accessType": "WRITE", "users": users, "creator": "USER_PIP"}
    created = json_of(world.call(30, json_body=body, datasetId=dataset_id))
    wm.validate(created, wm.CREATE_ENTITY_RESPONSE)
    listed = json_of(world.call(31, datasetId=dataset_id))
    wm.validate(listed, wm.list_of(wm.SHARED_ACCESS_CONFIG_DATA))
    assert [(c["accessType"], c["users"], c["teams"]) for c in listed] == [("WRITE", users, [])]
    # Sharing replaces the list; [] revokes.
    world.call(30, json_body={**body, "users": ["c@example.com"]}, datasetId=dataset_id)
    assert [c["users"] for c in json_of(world.call(31, datasetId=dataset_id))] == [
        ["c@example.com"]
    ]
    world.call(30, json_body={**body, "users": []}, datasetId=dataset_id)
    revoked = json_of(world.call(31, datasetId=dataset_id))
    wm.validate(revoked, wm.list_of(wm.SHARED_ACCESS_CONFIG_DATA))
    assert all(c["users"] == [] for c in revoked)


# --- 32, 33: samples ----------------------------------------------------------------------


@covers(32)
def test_samples_partial_file_names(world: World) -> None:
    params = {"mode": "fileNames", "pageSize": 25000, "pageOffset": 0}
    body = json_of(world.call(32, params=params, datasetId=world.dataset_id))
    wm.validate(body, wm.list_of(wm.SAMPLE_DATA_MODES_FILENAMES))
    assert [(s["id"], s["fileName"]) for s in body] == list(
        zip(world.sample_ids, world.file_names, strict=True)
    )
    past = {"mode": "fileNames", "pageSize": 25000, "pageOffset": 25000}
    assert json_of(world.call(32, params=past, datasetId=world.dataset_id)) == []


@covers(33)
def test_update_sample_custom_metadata(world: World) -> None:
    meta = {"image_id": 0, "number_of_people": 3, "weather": {"scenario": "cloudy"}}
    world.call(
        33,
        json_body={"customMetaData": meta},
        datasetId=world.dataset_id,
        sampleId=world.sample_ids[0],
    )
    with session_factory().begin() as session:
        stored = session.get(Sample, world.sample_ids[0])
        assert stored is not None and stored.custom_meta_data == meta
    missing = world.call(
        33,
        json_body={"customMetaData": meta},
        datasetId=world.dataset_id,
        sampleId=new_object_id(),
        expect=404,
    )
    error_body(missing, 404)
