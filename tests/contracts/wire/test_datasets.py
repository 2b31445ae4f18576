"""Wire routes 1-7: the version strings and datasets (list, create, query by name, get, delete),
plus the token and ownership errors of route 6."""

from __future__ import annotations

import uuid

import pytest

from tests.api.conftest import make_user
from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.world import N_SAMPLES, PAGE_PAST_END, World, error_body, json_of
from winnow_common.ids import new_object_id

# --- 1, 2: versions ----------------------------------------------------------------------


@covers(1, 2)
@pytest.mark.parametrize("number", [1, 2])
def test_version_routes_answer_json_strings(world: World, number: int) -> None:
    params = {"currentVersion": "1.5.26"} if number == 2 else None
    body = json_of(world.call(number, params=params))
    wm.validate(body, wm.VERSION_STRING)
    assert tuple(int(p) for p in body.split(".")) <= (1, 5, 26) or number == 2


# --- 3..7: datasets -----------------------------------------------------------------------


@covers(3)
def test_list_datasets(world: World) -> None:
    for shared in ("False", "True"):
        body = json_of(world.call(3, params={"shared": shared, "pageSize": 5000, "pageOffset": 0}))
        wm.validate(body, wm.list_of(wm.DATASET_DATA))
        if shared == "False":
            assert world.dataset_id in [d["id"] for d in body]
    team = json_of(world.call(3, params={"getAssetsOfTeam": "True", "pageSize": 5000}))
    wm.validate(team, wm.list_of(wm.DATASET_DATA))
    assert json_of(world.call(3, params={"shared": "False", **PAGE_PAST_END})) == []


@covers(4)
def test_create_dataset(world: World) -> None:
    name = f"created {uuid.uuid4().hex[:8]}"
    body = json_of(world.call(4, json_body={"name": name, "type": "Images", "creator": "USER_PIP"}))
    wm.validate(body, wm.CREATE_ENTITY_RESPONSE)
    dataset = json_of(world.call(6, datasetId=body["id"]))
    assert dataset["name"] == name and dataset["imgType"] == "full"
    duplicate = world.call(4, json_body={"name": name, "type": "Images"}, expect=409)
    error_body(duplicate, 409)


@covers(5)
def test_query_dataset_by_name(world: World) -> None:
    params = {"shared": "False", "exact": "True", "pageSize": 5000, "pageOffset": 0}
    found = json_of(world.call(5, params=params, datasetName=world.dataset_name))
    wm.validate(found, wm.list_of(wm.DATASET_DATA))
    assert [d["id"] for d in found] == [world.dataset_id]
    assert found[0]["nSamples"] == N_SAMPLES
    free = json_of(world.call(5, params=params, datasetName=f"free {uuid.uuid4().hex}"))
    assert free == []
    past = json_of(
        world.call(5, params={**params, **PAGE_PAST_END}, datasetName=world.dataset_name)
    )
    assert past == []


@covers(6)
def test_get_dataset(world: World) -> None:
    body = json_of(world.call(6, datasetId=world.dataset_id))
    wm.validate(body, wm.DATASET_DATA)
    assert body["id"] == world.dataset_id and body["nSamples"] == N_SAMPLES
    assert body.get("imgType") == "full"  # download_dataset refuses anything else
    error_body(world.call(6, datasetId=new_object_id(), expect=404), 404)


@covers(7)
def test_delete_dataset(world: World) -> None:
    created = json_of(world.call(4, json_body={"name": f"doomed {uuid.uuid4().hex[:8]}"}))
    world.call(7, datasetId=created["id"])
    error_body(world.call(6, datasetId=created["id"], expect=404), 404)


# --- cross-cutting --------------------------------------------------------------------------


@covers(6)
def test_bad_token_is_rejected_with_an_error_body(world: World) -> None:
    response = world.client.get(f"/v1/datasets/{world.dataset_id}", params={"token": "not-a-token"})
    assert response.status_code in (401, 403)
    error_body(response, response.status_code)


@covers(6)
def test_another_users_dataset_is_not_found(world: World) -> None:
    other = make_user()
    error_body(world.call(6, datasetId=world.dataset_id, user=other, expect=404), 404)
