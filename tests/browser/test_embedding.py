"""The embedding view against the real stack (api, gpu-worker, reporter): an uploaded embeddings
CSV of four clear clusters in 8-D, the PCA projection started from the page and computed by the
GPU worker, the scatter drawn on a canvas, zoom and pan, a lasso around one cluster saved as a
tag (the API then lists exactly that cluster's samples), colouring by tag and by custom
metadata, screenshots at 1280x800 and 390x844; and a 100k-point benchmark of the same drawing
and lasso code in headless Chromium."""

from __future__ import annotations

import csv
import io
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from tests.api.conftest import make_user
from tests.api.helpers import insert_tag
from tests.browser.conftest import PHONE, Dashboard, open_dashboard
from tests.flow.conftest import Api
from winnow_common.tags import bitmask_to_indices

CLUSTERS = 4
PER_CLUSTER = 10
DIM = 8
PAGE_MODULE = "/dashboard/static/js/pages/embedding.js"


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content else None


def _csv(names: list[str], rows: np.ndarray) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["filenames", *(f"embedding_{i}" for i in range(rows.shape[1])), "labels"])
    writer.writerows([n, *(repr(float(v)) for v in r), 0] for n, r in zip(names, rows, strict=True))
    return buf.getvalue().encode()


def _dataset_with_clusters(api: Api) -> tuple[str, dict[str, int]]:
    """A dataset of 40 samples from an uploaded CSV (clusters far apart on distinct axes),
    an initial-tag over all of them and custom metadata; file name -> cluster."""
    dataset_id = _ok(
        api.call("POST", "/v1/datasets", json={"name": f"emb-{uuid.uuid4().hex[:8]}"}), 201
    )["id"]
    rng = np.random.default_rng(3)
    centres = np.zeros((CLUSTERS, DIM))
    for c in range(CLUSTERS):
        centres[c, c] = 10.0 if c % 2 == 0 else -10.0
        centres[c, c + 4] = 6.0
    cluster_of = {f"c{c}_{i:02d}.png": c for c in range(CLUSTERS) for i in range(PER_CLUSTER)}
    names = list(cluster_of)
    rows = np.stack([centres[cluster_of[n]] + rng.normal(scale=0.3, size=DIM) for n in names])
    order = rng.permutation(len(names))
    names = [names[i] for i in order]
    target = _ok(
        api.call(
            "GET", f"/v1/datasets/{dataset_id}/embeddings/writeCSVUrl", params={"name": "clusters"}
        )
    )
    put = httpx.put(target["signedWriteUrl"], content=_csv(names, rows[order]), timeout=30)
    assert put.status_code == 200, put.text
    n = len(names)
    insert_tag(dataset_id, "initial-tag", hex((1 << n) - 1), n)
    samples = _ok(
        api.call("GET", f"/v1/datasets/{dataset_id}/samples/partial", params={"mode": "fileNames"})
    )
    for s in samples:
        c = cluster_of[s["fileName"]]
        meta = {"group": f"group-{c}", "brightness": float(c * 10 + int(s["fileName"][3:5]))}
        _ok(
            api.call(
                "PUT", f"/v1/datasets/{dataset_id}/samples/{s['id']}", json={"customMetaData": meta}
            )
        )
    return dataset_id, cluster_of


def _ink(page: Any) -> int:
    """How many canvas pixels are not white."""
    return page.evaluate(
        """() => { const c = document.querySelector('canvas.emb-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i+1] < 250 || d[i+2] < 250) n++;
        return n; }"""
    )


def _inspect(page: Any) -> dict[str, Any]:
    return page.evaluate(f"async () => (await import('{PAGE_MODULE}')).inspect()")


def _lasso_cluster(page: Any, state: dict[str, Any], cluster: set[str]) -> None:
    """Draw a lasso (an octagon around the cluster's points) with the mouse."""
    inside = [p for p in state["points"] if p["fileName"] in cluster]
    others = [p for p in state["points"] if p["fileName"] not in cluster]
    cx = sum(p["x"] for p in inside) / len(inside)
    cy = sum(p["y"] for p in inside) / len(inside)
    reach = max(((p["x"] - cx) ** 2 + (p["y"] - cy) ** 2) ** 0.5 for p in inside) + 12
    nearest = min(((p["x"] - cx) ** 2 + (p["y"] - cy) ** 2) ** 0.5 for p in others)
    assert nearest > reach + 5, "the clusters overlap on screen"
    box = page.locator("canvas.emb-canvas").bounding_box()
    corners = [
        (box["x"] + cx + reach * np.cos(a), box["y"] + cy + reach * np.sin(a))
        for a in np.linspace(0, 2 * np.pi, 17)
    ]
    page.mouse.move(*corners[0])
    page.mouse.down()
    for x, y in corners[1:]:
        page.mouse.move(x, y, steps=3)
    page.mouse.up()


def test_lasso_a_cluster_into_a_tag(
    dashboard: Dashboard, browser: Any, screenshot_dir: Path
) -> None:
    page = dashboard.page
    api = Api(dashboard.base_url, dashboard.user)
    dataset_id, cluster_of = _dataset_with_clusters(api)
    dashboard.goto(f"#/datasets/{dataset_id}/embedding")
    page.get_by_role("heading", name="Embedding view").wait_for()
    page.get_by_role("button", name="Compute 2-D projection").click()
    page.get_by_text("40 points (PCA projection).").wait_for(timeout=60_000)
    page.wait_for_timeout(100)
    assert _ink(page) > 500

    # Zoom (button and keyboard) and pan (drag) change the view.
    before = _inspect(page)["view"]
    page.get_by_role("button", name="Zoom in").click()
    zoomed = _inspect(page)["view"]
    assert zoomed["scale"] > before["scale"] * 1.2
    page.locator("canvas.emb-canvas").focus()
    page.keyboard.press("-")
    assert _inspect(page)["view"]["scale"] < zoomed["scale"]
    box = page.locator("canvas.emb-canvas").bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + 230, steps=5)
    page.mouse.up()
    panned = _inspect(page)["view"]
    assert abs(panned["tx"] - before["tx"] - 60) < 2 and abs(panned["ty"] - before["ty"] - 30) < 2
    page.get_by_role("button", name="Reset view").click()

    # Lasso around cluster 2 -> exactly its 10 samples selected -> saved as a tag.
    page.get_by_label("Lasso select").check()
    cluster = {n for n, c in cluster_of.items() if c == 2}
    _lasso_cluster(page, _inspect(page), cluster)
    page.get_by_text(f"{PER_CLUSTER} points selected").wait_for()
    dashboard.shot("embedding-lasso")
    page.get_by_label("Tag name").fill("cluster-two")
    page.get_by_role("button", name="Save as tag").click()
    page.get_by_text(f"Saved tag cluster-two with {PER_CLUSTER} samples.").wait_for()
    tags = _ok(api.call("GET", f"/v1/datasets/{dataset_id}/tags"))
    tag = next(t for t in tags if t["name"] == "cluster-two")
    names = _ok(
        api.call("GET", f"/v1/datasets/{dataset_id}/mappings", params={"field": "fileName"})
    )
    assert {names[i] for i in bitmask_to_indices(tag["bitMaskData"])} == cluster

    # Colour by the new tag (chosen after saving), then by metadata.
    page.get_by_text(f"in cluster-two ({PER_CLUSTER})").wait_for()
    page.get_by_role("button", name="Clear selection").click()
    dashboard.shot("embedding-by-tag")
    page.get_by_label("Colour by").select_option(label="group")
    page.locator(".emb-legend").get_by_text("group-3").wait_for()
    page.get_by_label("Colour by").select_option(label="brightness")
    page.locator(".emb-legend").get_by_text("brightness: 0").wait_for()
    dashboard.shot("embedding-desktop")
    assert dashboard.external_requests() == []

    phone = open_dashboard(browser, dashboard.base_url, dashboard.user, screenshot_dir, PHONE)
    phone.goto(f"#/datasets/{dataset_id}/embedding")
    phone.page.get_by_text("40 points (PCA projection).").wait_for()
    assert _ink(phone.page) > 200
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.shot("embedding-phone")
    assert phone.external_requests() == []
    phone.page.context.close()


def test_the_projection_route_answers_404_then_409_then_the_points(dashboard: Dashboard) -> None:
    api = Api(dashboard.base_url, dashboard.user)
    dataset_id, cluster_of = _dataset_with_clusters(api)
    embedding_id = _ok(api.call("GET", f"/v1/datasets/{dataset_id}/embeddings"))[0]["id"]
    path = f"/dashboard/api/datasets/{dataset_id}/embeddings/{embedding_id}/projection"
    missing = api.call("GET", path)
    assert missing.status_code == 404 and missing.json()["error"].startswith("embeddingId")
    other = Api(dashboard.base_url, make_user())
    assert other.call("GET", path).status_code == 404
    trigger = f"/v1/datasets/{dataset_id}/embeddings/{embedding_id}/trigger2dEmbeddingsJob"
    assert (
        api.call("POST", trigger, json={"dimensionalityReductionMethod": "PCA"}).status_code == 204
    )
    for _ in range(120):
        response = api.call("GET", path)
        if response.status_code == 200:
            break
        assert response.status_code == 409 and response.json()["error"].startswith("embeddingId")
        time.sleep(0.5)
    body = _ok(response)
    assert (
        sorted(body["fileNames"]) == sorted(cluster_of) and len(body["x"]) == len(body["y"]) == 40
    )
    assert sorted(body["idx"]) == list(range(40))


def test_100k_points_draw_and_lasso_fast(dashboard: Dashboard) -> None:
    api = Api(dashboard.base_url, dashboard.user)
    dataset_id = _ok(
        api.call("POST", "/v1/datasets", json={"name": f"emb-{uuid.uuid4().hex[:8]}"}), 201
    )["id"]
    dashboard.goto(f"#/datasets/{dataset_id}/embedding")
    dashboard.page.get_by_text("This dataset has no embeddings yet").wait_for()
    result = dashboard.page.evaluate(
        f"async () => (await import('{PAGE_MODULE}')).benchmark(100000)"
    )
    print(
        f"\n100k points: draw {result['drawMs']:.1f} ms, redraw with selection "
        f"{result['redrawMs']:.1f} ms, lasso {result['selectMs']:.1f} ms, "
        f"{result['selected']} selected"
    )
    assert result["drawMs"] < 200 and result["redrawMs"] < 200
    assert result["selectMs"] < 500 and 0 < result["selected"] < 100000
    assert _ink(dashboard.page) > 10000
    dashboard.shot("embedding-100k")
