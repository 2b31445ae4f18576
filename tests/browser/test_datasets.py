"""The Datasets pages: the list (own and shared), one dataset's datasources (secrets masked),
its samples grid (images that really load), the tag tree, tag arithmetic, exports, and sharing
(a revoked collaborator's page answers 404: "not found")."""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from tests.api.conftest import ApiUser, make_user
from tests.api.helpers import insert_tag
from tests.browser.conftest import DESKTOP, PHONE, Dashboard, open_dashboard
from tests.flow.conftest import make_image_set

N_IMAGES = 8


@dataclass
class Seeded:
    """A dataset with N_IMAGES samples readable from an OBS INPUT datasource and a few tags."""

    base_url: str
    owner: ApiUser
    dataset_id: str
    name: str
    files: list[str]  # in sample (bit) order
    tags: dict[str, str]  # name -> id

    def call(self, method: str, path: str, user: ApiUser | None = None, **kw: Any) -> Any:
        params = {**kw.pop("params", {}), **(user or self.owner).params}
        response = httpx.request(method, f"{self.base_url}{path}", params=params, timeout=30, **kw)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def mask(self, names: list[str]) -> str:
        return hex(sum(1 << self.files.index(n) for n in names))


def _embeddings_csv(names: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["filenames", "embedding_0", "embedding_1", "labels"])
    writer.writerows([n, float(i), float(i % 3), 0] for i, n in enumerate(names))
    return buf.getvalue().encode()


def _set_obs(seeded: Seeded, services: dict[str, str], purpose: str, path: str) -> None:
    body = {
        "purpose": purpose,
        "type": "OBS",
        "fullPath": path,
        "obsEndpoint": services["S3_ENDPOINT_URL"],
        "obsAccessKeyId": services["S3_ACCESS_KEY_ID"],
        "obsSecretAccessKey": services["S3_SECRET_ACCESS_KEY"],
    }
    seeded.call("PUT", f"/v1/datasets/{seeded.dataset_id}/datasource", json=body)


@pytest.fixture(scope="module")
def seeded(services: dict[str, str]) -> Seeded:
    images = make_image_set(N_IMAGES)
    good = sorted(n for n in images.files if n.startswith(("a/", "b/")))
    s3 = boto3.client(
        "s3",
        endpoint_url=services["S3_ENDPOINT_URL"],
        aws_access_key_id=services["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=services["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    bucket = services["S3_INPUT_BUCKET"]
    for name in good:
        s3.put_object(Bucket=bucket, Key=f"{images.prefix}/{name}", Body=images.files[name])
    owner = make_user()
    name = f"browser-{uuid.uuid4().hex[:6]}"
    seeded = Seeded(services["API_PUBLIC_URL"], owner, "", name, [], {})
    created = seeded.call("POST", "/v1/datasets", json={"name": name, "type": "Images"})
    seeded.dataset_id = created["id"]
    base = f"/v1/datasets/{seeded.dataset_id}"
    _set_obs(seeded, services, "INPUT", f"obs://{bucket}/{images.prefix}")
    _set_obs(seeded, services, "LIGHTLY", f"obs://{services['S3_LIGHTLY_BUCKET']}/{images.prefix}")
    target = seeded.call("GET", f"{base}/embeddings/writeCSVUrl", params={"name": "dash"})
    put = httpx.put(target["signedWriteUrl"], content=_embeddings_csv(good), timeout=30)
    assert put.status_code == 200, put.text
    seeded.files = seeded.call("GET", f"{base}/mappings", params={"field": "fileName"})
    assert sorted(seeded.files) == good
    root = insert_tag(seeded.dataset_id, "initial-tag", hex((1 << N_IMAGES) - 1), N_IMAGES)
    seeded.tags["initial-tag"] = root
    for tag, parent, names in (
        ("left", "initial-tag", seeded.files[:4]),
        ("left-even", "left", seeded.files[0:4:2]),
        ("odd", "initial-tag", seeded.files[1::2]),
    ):
        body = {
            "name": tag,
            "prevTagId": seeded.tags[parent],
            "bitMaskData": seeded.mask(names),
            "totSize": N_IMAGES,
        }
        seeded.tags[tag] = seeded.call("POST", f"{base}/tags", json=body)["id"]
    return seeded


def _open(browser: Any, seeded: Seeded, user: ApiUser, shots: Path, viewport: dict) -> Dashboard:
    return open_dashboard(browser, seeded.base_url, user, shots, viewport)


def _loaded_images(page: Any) -> int:
    """Scroll every thumbnail into view (they load lazily) and count those that decoded."""
    page.eval_on_selector_all(".samples img", "els => els.forEach(e => e.scrollIntoView())")
    page.wait_for_function(
        "n => { const imgs = [...document.querySelectorAll('.samples img')];"
        " return imgs.length === n && imgs.every(i => i.complete); }",
        arg=N_IMAGES,
    )
    return int(
        page.evaluate(
            "[...document.querySelectorAll('.samples img')].filter(i => i.naturalWidth > 0).length"
        )
    )


def test_dataset_page_sources_grid_tags_and_exports(
    browser: Any, seeded: Seeded, screenshot_dir: Path
) -> None:
    board = _open(browser, seeded, seeded.owner, screenshot_dir, DESKTOP)
    page = board.page
    board.goto("#/datasets")
    link = page.get_by_role("link", name=seeded.name, exact=True)
    assert link.is_visible()
    board.shot("datasets-list")
    link.click()
    page.get_by_role("heading", name=seeded.name).wait_for()
    page.locator(".tag-tree").first.wait_for()

    # Datasources: both purposes listed, secrets masked, the real secret nowhere on the page.
    sources = page.locator("table.sources")
    assert sources.get_by_role("rowheader", name="INPUT").is_visible()
    assert sources.get_by_role("rowheader", name="LIGHTLY").is_visible()
    assert sources.locator("td.secret").all_inner_texts() == ["***", "***"]
    assert board.user.token not in page.content()

    # Samples: every image really loaded from its signed URL.
    assert _loaded_images(page) == N_IMAGES
    assert page.get_by_text(f"Samples 1\u2013{N_IMAGES} of {N_IMAGES}").is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    board.shot("dataset-page")

    # The tag tree nests a child under its parent.
    nested = page.locator('li[data-tag="initial-tag"] li[data-tag="left"] li[data-tag="left-even"]')
    assert nested.count() == 1
    assert page.locator('li[data-tag="initial-tag"] > ul > li[data-tag="odd"]').count() == 1

    # Tag arithmetic: left UNION odd -> a new tag with the right size, child of "left".
    page.get_by_label("First tag").select_option(label="left")
    page.get_by_label("Operation").select_option("UNION")
    page.get_by_label("Second tag").select_option(label="odd")
    page.get_by_label("New tag name").fill("left-or-odd")
    page.get_by_role("button", name="Create tag").click()
    page.get_by_role("status").filter(has_text="Created tag left-or-odd with 6 samples").wait_for()
    tags = {t["name"]: t for t in seeded.call("GET", f"/v1/datasets/{seeded.dataset_id}/tags")}
    expected = set(seeded.files[:4]) | set(seeded.files[1::2])
    assert int(tags["left-or-odd"]["bitMaskData"], 16) == int(seeded.mask(sorted(expected)), 16)
    assert tags["left-or-odd"]["prevTagId"] == seeded.tags["left"]
    assert page.locator('li[data-tag="left"] > ul > li[data-tag="left-or-odd"]').count() == 1

    # Deleting a parent tag is a 409, shown as a message; a leaf goes away.
    page.get_by_role("button", name="Delete tag left", exact=True).click()
    page.get_by_role("status").filter(has_text="Cannot delete").wait_for()
    page.get_by_role("button", name="Delete tag left-or-odd").click()
    page.get_by_role("status").filter(has_text="Deleted tag left-or-odd").wait_for()
    assert page.locator('li[data-tag="left-or-odd"]').count() == 0

    # Exports: a filenames preview and a LabelStudio download list every file of the tag.
    page.get_by_label("Tag", exact=True).select_option(label="left")
    page.get_by_label("Format").select_option("filenames")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("pre.export-preview")
    preview.wait_for()
    assert preview.inner_text().split("\n") == seeded.files[:4]
    page.get_by_label("Format").select_option("labelstudio")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download", exact=True).click()
    download = info.value
    assert download.suggested_filename == "left-labelstudio.json"
    tasks = json.loads(Path(download.path()).read_text())
    assert [t["data"]["image"].split("?")[0].rsplit("/", 1)[-1] for t in tasks] == [
        seeded.call("GET", f"/v1/datasets/{seeded.dataset_id}/mappings", params={"field": "_id"})[i]
        for i in range(4)
    ]
    page.get_by_label("Format").select_option("labelboxv4")
    page.get_by_role("button", name="Preview").click()
    page.locator("pre.export-preview").filter(has_text="global_key").wait_for()
    rows = json.loads(page.locator("pre.export-preview").inner_text())
    assert sorted(r["global_key"] for r in rows) == sorted(seeded.files[:4])
    assert board.external_requests() == []
    page.context.close()


def test_pages_read_on_a_phone(browser: Any, seeded: Seeded, screenshot_dir: Path) -> None:
    board = _open(browser, seeded, seeded.owner, screenshot_dir, PHONE)
    page = board.page
    board.goto("#/datasets")
    page.get_by_role("link", name=seeded.name, exact=True).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    board.shot("datasets-list-phone")
    board.goto(f"#/datasets/{seeded.dataset_id}")
    page.locator(".tag-tree").first.wait_for()
    assert _loaded_images(page) == N_IMAGES
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    board.shot("dataset-page-phone")
    assert board.external_requests() == []
    page.context.close()


def test_share_then_revoke_answers_404_for_the_other_user(
    browser: Any, seeded: Seeded, screenshot_dir: Path
) -> None:
    other = make_user()
    owner = _open(browser, seeded, seeded.owner, screenshot_dir, DESKTOP)
    owner.goto(f"#/datasets/{seeded.dataset_id}")
    owner.page.get_by_label("Share with (emails, comma-separated)").fill(other.email)
    owner.page.get_by_role("button", name="Share", exact=True).click()
    owner.page.get_by_role("status").filter(has_text=f"Shared with {other.email}").wait_for()
    shares = seeded.call("GET", f"/v1/datasets/{seeded.dataset_id}/collaboration/access")
    assert shares[0]["users"] == [other.email]

    guest = _open(browser, seeded, other, screenshot_dir, DESKTOP)
    guest.goto("#/datasets")
    row = guest.page.get_by_role("row").filter(has_text=seeded.name)
    assert row.get_by_text("shared with you").is_visible()
    row.get_by_role("link", name=seeded.name, exact=True).click()
    guest.page.get_by_role("heading", name=seeded.name).wait_for()
    guest.page.locator(".share-list").wait_for()
    assert guest.page.locator(".share-list").get_by_text(other.email).is_visible()
    assert guest.page.get_by_role("button", name="Share", exact=True).count() == 0
    assert _loaded_images(guest.page) == N_IMAGES
    guest.shot("dataset-page-collaborator")

    owner.page.get_by_role("button", name=f"Revoke {other.email}").click()
    owner.page.get_by_role("status").filter(has_text=f"Revoked {other.email}").wait_for()
    guest.page.reload()
    alert = guest.page.get_by_role("alert")
    alert.filter(has_text="not found").wait_for()
    assert "404" in alert.inner_text()
    guest.shot("dataset-page-revoked")
    assert owner.external_requests() == [] and guest.external_requests() == []
    owner.page.context.close()
    guest.page.context.close()
