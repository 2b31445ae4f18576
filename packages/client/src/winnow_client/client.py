"""A small synchronous client for the Winnow API (Lightly Platform v1 wire format)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

END_STATES = frozenset({"COMPLETED", "FAILED", "CRASHED", "ABORTED", "CANCELED_OR_NOT_EXISTING"})


class WinnowApiError(Exception):
    """A non-2xx answer: HTTP status, Lightly error code and the server's message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class ComputeWorkerRunInfo:
    state: str
    message: str

    def in_end_state(self) -> bool:
        return self.state in END_STATES

    def ended_successfully(self) -> bool:
        return self.state == "COMPLETED"


def to_camel_keys(value: Any) -> Any:
    """snake_case dict keys to camelCase, recursively, as the lightly client does.

    ``stopping_condition_minimum_distance`` stays as it is: it is snake_case on the wire.
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key != "stopping_condition_minimum_distance":
                first, *rest = key.split("_")
                key = first + "".join(part.title() for part in rest)
            out[key] = to_camel_keys(item)
        return out
    if isinstance(value, list):
        return [to_camel_keys(v) for v in value]
    return value


class WinnowClient:
    """Talks to a Winnow API with a token; ``dataset_id`` is the dataset most calls act on."""

    def __init__(self, api_url: str, token: str, dataset_id: str | None = None) -> None:
        self._http = httpx.Client(base_url=api_url.rstrip("/"), timeout=180)
        self._token = token
        self.dataset_id = dataset_id

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        params = {**kwargs.pop("params", {}), "token": self._token}
        response = self._http.request(method, path, params=params, **kwargs)
        if response.status_code >= 300:
            try:
                body = response.json()
                code, message = body.get("code", ""), body.get("error", response.text)
            except ValueError:
                code, message = "", response.text
            raise WinnowApiError(response.status_code, code, message)
        if not response.content:
            return None
        return response.json()

    def _dataset(self, dataset_id: str | None) -> str:
        found = dataset_id or self.dataset_id
        if not found:
            raise ValueError("no dataset: pass dataset_id or create a dataset first")
        return found

    # datasets
    def create_dataset(self, dataset_name: str, dataset_type: str = "Images") -> str:
        """Create a dataset and make it the current one."""
        body = {"name": dataset_name, "type": dataset_type, "creator": "USER_PIP"}
        self.dataset_id = self._request("POST", "/v1/datasets", json=body)["id"]
        return self.dataset_id

    def get_datasets_by_name(self, dataset_name: str) -> list[dict[str, Any]]:
        """The caller's datasets named exactly ``dataset_name``."""
        result: list[dict[str, Any]] = self._request(
            "GET", f"/v1/datasets/query/name/{dataset_name}", params={"exact": "True"}
        )
        return result

    # datasources
    def _set_datasource(self, body: dict[str, Any]) -> None:
        self._request("PUT", f"/v1/datasets/{self._dataset(None)}/datasource", json=body)

    def set_local_config(self, relative_path: str, purpose: str) -> None:
        """A LOCAL datasource: a directory the workers see (under WORKER_LOCAL_DATASOURCE_ROOT)."""
        self._set_datasource({"purpose": purpose, "type": "LOCAL", "fullPath": relative_path})

    def set_obs_config(
        self,
        resource_path: str,
        obs_endpoint: str,
        obs_access_key_id: str,
        obs_secret_access_key: str,
        purpose: str,
    ) -> None:
        """An S3-compatible datasource (``obs://bucket/prefix`` at ``obs_endpoint``)."""
        self._set_datasource(
            {
                "purpose": purpose,
                "type": "OBS",
                "fullPath": resource_path,
                "obsEndpoint": obs_endpoint,
                "obsAccessKeyId": obs_access_key_id,
                "obsSecretAccessKey": obs_secret_access_key,
            }
        )

    # runs
    def schedule_compute_worker_run(
        self,
        worker_config: dict[str, Any] | None = None,
        lightly_config: dict[str, Any] | None = None,
        selection_config: dict[str, Any] | None = None,
        priority: str = "MID",
        runs_on: list[str] | None = None,
    ) -> str:
        """Store the config and schedule a run on the current dataset; returns the scheduled id."""
        config: dict[str, Any] = {"workerType": "FULL"}
        for key, section in (
            ("docker", worker_config),
            ("lightly", lightly_config),
            ("selection", selection_config),
        ):
            if section is not None:
                config[key] = to_camel_keys(section)
        config_id = self._request(
            "POST",
            "/v1/docker/worker/config/vX",
            json={"version": "V4", "config": config, "creator": "USER_PIP"},
        )["id"]
        scheduled: str = self._request(
            "POST",
            f"/v1/datasets/{self._dataset(None)}/docker/worker/schedule",
            json={"configId": config_id, "priority": priority, "runsOn": runs_on or []},
        )["id"]
        return scheduled

    def get_compute_worker_run_from_scheduled_run(self, scheduled_run_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._request(
            "GET", f"/v1/docker/runs/schedule/{scheduled_run_id}"
        )
        return result

    def get_compute_worker_run_info(self, scheduled_run_id: str) -> ComputeWorkerRunInfo:
        """The run's state, ``OPEN`` while no worker picked it up."""
        try:
            run = self.get_compute_worker_run_from_scheduled_run(scheduled_run_id)
            return ComputeWorkerRunInfo(run["state"], run.get("message", ""))
        except WinnowApiError as exc:
            if exc.status != 404:
                raise
        scheduled = self._request(
            "GET", f"/v1/datasets/{self._dataset(None)}/docker/worker/schedule"
        )
        if any(s["id"] == scheduled_run_id for s in scheduled):
            return ComputeWorkerRunInfo("OPEN", "Waiting for pickup by a worker.")
        return ComputeWorkerRunInfo("CANCELED_OR_NOT_EXISTING", "")

    def compute_worker_run_info_generator(
        self, scheduled_run_id: str, poll_interval_s: float = 2.0
    ) -> Iterator[ComputeWorkerRunInfo]:
        """Yield the run's info whenever state or message changes, until it ends."""
        last: ComputeWorkerRunInfo | None = None
        while True:
            info = self.get_compute_worker_run_info(scheduled_run_id)
            if info != last:
                yield info
                last = info
            if info.in_end_state():
                return
            time.sleep(poll_interval_s)

    def _download_artifact(self, run: dict[str, Any], type_: str, output_path: str | Path) -> Path:
        artifact = next((a for a in run.get("artifacts", []) if a["type"] == type_), None)
        if artifact is None:
            raise ValueError(f"run {run['id']} has no {type_} artifact")
        url = self._request(
            "GET", f"/v1/docker/runs/{run['id']}/artifacts/{artifact['id']}/readurl"
        )
        path = Path(output_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with httpx.stream("GET", url, timeout=60) as response:
            response.raise_for_status()
            with path.open("wb") as fh:
                for chunk in response.iter_raw():
                    fh.write(chunk)
        return path

    def download_compute_worker_run_report_pdf(
        self, run: dict[str, Any], output_path: str | Path
    ) -> Path:
        return self._download_artifact(run, "REPORT_PDF", output_path)

    def download_compute_worker_run_report_json(
        self, run: dict[str, Any], output_path: str | Path
    ) -> Path:
        return self._download_artifact(run, "REPORT_JSON", output_path)

    # tags
    def get_all_tags(self) -> list[dict[str, Any]]:
        tags: list[dict[str, Any]] = self._request(
            "GET", f"/v1/datasets/{self._dataset(None)}/tags"
        )
        return tags

    def export_filenames_by_tag_name(self, tag_name: str, page_size: int = 5000) -> str:
        """The tag's filenames, one per line (fetched page by page)."""
        tag = next((t for t in self.get_all_tags() if t["name"] == tag_name), None)
        if tag is None:
            raise ValueError(f"tag {tag_name!r} does not exist")
        pages = []
        offset = 0
        while True:
            page: str = self._request(
                "GET",
                f"/v1/datasets/{self._dataset(None)}/tags/{tag['id']}/export/basic/filenames",
                params={"pageSize": page_size, "pageOffset": offset},
            )
            if not page:
                break
            pages.append(page)
            if page.count("\n") + 1 < page_size:
                break
            offset += page_size
        return "\n".join(pages)
