"""The runs pages against a real run: the list shows it, its page follows it live through
Server-Sent Events (at least two states without a reload, then COMPLETED), the log tail grows,
the attempts table lists the attempt, the report link downloads a PDF; the workers page lists a
registered worker; screenshots at 1280x800 and 390x844; nothing loads from outside."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.browser.conftest import PHONE, Dashboard, open_dashboard
from tests.flow.conftest import Api, make_image_set, s3, schedule_config, upload  # noqa: F401

# Records, from the first paint on, each state the page shows and the log tail's line counts.
OBSERVER = """
window.__states = []; window.__logLines = [];
const record = () => {
  const s = document.getElementById('run-state');
  if (s && window.__states.at(-1) !== s.textContent) window.__states.push(s.textContent);
  const log = document.getElementById('run-log');
  if (log) window.__logLines.push(log.textContent ? log.textContent.split('\\n').length : 0);
};
record();
new MutationObserver(record).observe(
  document, {subtree: true, childList: true, characterData: true});
"""


def _dataset_with_sources(api: Api, services: dict[str, str], prefix: str) -> str:
    created = api.call("POST", "/v1/datasets", json={"name": f"dash-runs {time.time_ns()}"})
    assert created.status_code == 201, created.text
    dataset_id: str = created.json()["id"]
    buckets = {"INPUT": services["S3_INPUT_BUCKET"], "LIGHTLY": services["S3_LIGHTLY_BUCKET"]}
    for purpose, bucket in buckets.items():
        body = {
            "purpose": purpose,
            "type": "OBS",
            "fullPath": f"obs://{bucket}/{prefix}",
            "obsEndpoint": services["S3_ENDPOINT_URL"],
            "obsAccessKeyId": services["S3_ACCESS_KEY_ID"],
            "obsSecretAccessKey": services["S3_SECRET_ACCESS_KEY"],
        }
        put = api.call("PUT", f"/v1/datasets/{dataset_id}/datasource", json=body)
        assert put.status_code == 200, put.text
    return dataset_id


def _run_of(api: Api, scheduled_id: str, timeout_s: float = 120) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = api.call("GET", f"/v1/docker/runs/schedule/{scheduled_id}")
        if response.status_code == 200:
            return str(response.json()["id"])
        time.sleep(0.2)
    raise AssertionError("no worker picked the run up")


def test_a_run_is_followed_live_to_its_report(
    dashboard: Dashboard,
    services: dict[str, str],
    s3: Any,  # noqa: F811 - the imported fixture
    browser: Any,
    screenshot_dir: Path,
) -> None:
    api = Api(services["API_PUBLIC_URL"], dashboard.user)
    images = make_image_set(n_good=10)
    upload(s3, services["S3_INPUT_BUCKET"], images)
    dataset_id = _dataset_with_sources(api, services, images.prefix)
    registration = {"name": "dash-gpu", "workerType": "FULL", "labels": ["gpu"]}
    worker = api.call("POST", "/v1/docker/worker", json=registration)
    assert worker.status_code == 201, worker.text
    config = {
        "workerType": "FULL",
        "docker": {"enableCorruptnessCheck": True, "removeExactDuplicates": True},
        "selection": {
            "nSamples": 4,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
    }
    scheduled_id = schedule_config(api, dataset_id, config)
    run_id = _run_of(api, scheduled_id)

    page = dashboard.page
    dashboard.goto(f"#/runs/{run_id}")
    page.evaluate(OBSERVER)
    page.evaluate("window.__noReload = 1")
    page.locator("#run-stages table").wait_for()  # the first event arrived
    dashboard.shot("run-mid-run")
    page.locator("#run-state:text-is('COMPLETED')").wait_for(timeout=360_000)
    page.locator("a[data-type=REPORT_PDF]").wait_for(timeout=30_000)
    assert page.evaluate("window.__noReload") == 1  # followed live: no reload
    states = page.evaluate("window.__states")
    assert len(set(states)) >= 2 and states[-1] == "COMPLETED", states
    counts = [c for c in page.evaluate("window.__logLines") if c]
    assert counts and max(counts) > min(counts), counts
    assert page.locator("#run-attempts tbody tr").count() >= 1
    assert page.locator("#run-stages tbody tr").count() >= 3
    assert page.locator("#run-progress").evaluate("p => p.value") == 1
    assert page.locator("#run-cancel").is_disabled()
    href = page.locator("a[data-type=REPORT_PDF]").get_attribute("href")
    report = page.request.get(href)
    assert report.status == 200 and report.body().startswith(b"%PDF-")
    assert page.locator("a[data-type=REPORT_JSON]").count() == 1
    assert page.get_by_role("link", name="Galleries: corrupt files, duplicates, selection").count()
    dashboard.shot("run-completed")

    dashboard.goto("#/runs")
    row = page.locator(f"tr[data-run='{run_id}']")
    row.wait_for()
    assert "COMPLETED" in row.inner_text() and "MID" in row.inner_text()
    dashboard.shot("runs-list")
    dashboard.goto("#/workers")
    page.get_by_role("cell", name="dash-gpu").wait_for()
    dashboard.shot("workers")
    assert dashboard.external_requests() == []

    phone = open_dashboard(
        browser, services["API_PUBLIC_URL"], dashboard.user, screenshot_dir, PHONE
    )
    # Let the list the log-in opened finish first (a slower earlier view would replace this one).
    phone.page.locator(f"tr[data-run='{run_id}']").wait_for()
    phone.goto(f"#/runs/{run_id}")
    phone.page.locator("a[data-type=REPORT_PDF]").wait_for()
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.shot("run-phone")
    phone.goto("#/runs")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.external_requests() == []
    phone.page.context.close()


def test_a_queued_run_is_canceled_from_the_list(
    dashboard: Dashboard, services: dict[str, str]
) -> None:
    api = Api(services["API_PUBLIC_URL"], dashboard.user)
    dataset_id = _dataset_with_sources(api, services, f"nothing-{time.time_ns()}")
    config = {"workerType": "FULL", "selection": {"nSamples": 1, "strategies": [
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}]}}  # fmt: skip
    created = api.call(
        "POST", "/v1/docker/worker/config/vX", json={"version": "V4", "config": config}
    )
    # No worker holds the label "nobody-has-it": the run stays queued.
    scheduled = api.call(
        "POST",
        f"/v1/datasets/{dataset_id}/docker/worker/schedule",
        json={"configId": created.json()["id"], "priority": "HIGH", "runsOn": ["nobody-has-it"]},
    )
    assert scheduled.status_code == 201, scheduled.text
    scheduled_id = scheduled.json()["id"]
    dashboard.goto("#/runs")
    row = dashboard.page.locator(f"tr[data-run='{scheduled_id}']")
    dashboard.shot("runs-queued")
    assert "QUEUED" in row.inner_text() and "HIGH" in row.inner_text()
    row.get_by_role("button", name="Cancel").click()
    row.wait_for(state="detached")
    listed = api.call(
        "GET", f"/v1/datasets/{dataset_id}/docker/worker/schedule", params={"state": "CANCELED"}
    ).json()
    assert [s["id"] for s in listed] == [scheduled_id]
