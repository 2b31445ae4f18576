"""``WinnowWorkflowClient``: lightly's ``ApiWorkflowClient`` method names on the generated client.

A script written for ``lightly.api.ApiWorkflowClient`` (lightly 1.5) moves to Winnow by changing
its import::

    from winnow_client import ApiWorkflowClient  # was: from lightly.api import ApiWorkflowClient

    # The server: server_location=, else WINNOW_SERVER_LOCATION or LIGHTLY_SERVER_LOCATION.
    client = ApiWorkflowClient(token="...")
    client.create_dataset("my-dataset")
    client.set_obs_config("obs://bucket/in", "http://s3:8333", "AK", "SK", purpose="INPUT")
    ...

Every API call goes through the typed functions of ``winnow_client.generated`` (generated from
the API's OpenAPI document by ``make client``); only the signed file URLs the API hands out
(artifacts, sample images) are fetched with plain ``httpx``. Methods return the generated
models (``RunData``, ``TagData``, ...), whose attributes are the snake_case names lightly's
models have (``run.id``, ``run.artifacts``, ``tag.bit_mask_data``). Errors are
``WinnowApiError`` (``.status`` like lightly's ``ApiException``).
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from winnow_client.generated import Client
from winnow_client.generated.api.collaboration import get_shared_access, share_dataset
from winnow_client.generated.api.datasets import (
    create_dataset as api_create_dataset,
)
from winnow_client.generated.api.datasets import (
    delete_dataset,
    get_dataset,
    list_datasets,
    query_datasets_by_name,
)
from winnow_client.generated.api.datasources import (
    get_datasource as api_get_datasource,
)
from winnow_client.generated.api.datasources import put_datasource, verify_datasource
from winnow_client.generated.api.runs import (
    create_worker_config,
    get_artifact_read_url,
    get_run,
    get_run_of_scheduled_run,
    list_run_tags,
    list_runs,
    list_runs_of_dataset,
    list_scheduled_runs,
    schedule_run,
)
from winnow_client.generated.api.samples import get_mappings, get_samples_partial, update_sample
from winnow_client.generated.api.tags import (
    create_tag,
    export_tag_filenames,
    get_tag,
    list_tags,
    tag_arithmetics,
)
from winnow_client.generated.api.workers import delete_worker, list_workers, register_worker
from winnow_client.generated.models import (
    CreateEntityResponse,
    CreateWorkerRequest,
    Creator,
    DatasetCreateRequest,
    DatasetData,
    DatasetType,
    DatasourceConfigAzure,
    DatasourceConfigGCS,
    DatasourceConfigLightly,
    DatasourceConfigLocal,
    DatasourceConfigOBS,
    DatasourceConfigS3,
    DatasourceConfigS3DelegatedAccess,
    DatasourceConfigS3DelegatedAccessS3Region,
    DatasourceConfigS3S3Region,
    DatasourceConfigVerifyData,
    DatasourcePurpose,
    FileNameFormat,
    GetMappingsField,
    GetSamplesPartialMode,
    RunArtifactData,
    RunData,
    SampleDataModes,
    SampleUpdateRequest,
    ScheduledRunCreateRequest,
    ScheduledRunData,
    ScheduledRunPriority,
    ScheduledRunState,
    SharedAccessConfigCreateRequest,
    SharedAccessConfigData,
    TagArithmeticsRequest,
    TagArithmeticsRequestOperation,
    TagBitMaskResponse,
    TagCreateRequest,
    TagCreator,
    TagData,
    WorkerConfigCreateRequest,
    WorkerData,
)
from winnow_client.generated.types import UNSET, Response, Unset

T = TypeVar("T")

END_STATES = frozenset({"COMPLETED", "FAILED", "CRASHED", "ABORTED", "CANCELED_OR_NOT_EXISTING"})
DEFAULT_THUMB_SUFFIX = ".lightly/thumbnails/[filename]_thumb.[extension]"
# Page sizes lightly uses: 5000 for datasets, runs and filename exports; 25000 for samples.
PAGE_SIZE = 5000
SAMPLE_PAGE_SIZE = 25000
# Keys whose dict values are data, not config fields: their keys stay as they are.
_VERBATIM_KEYS = frozenset({"target"})
Datasource = (
    DatasourceConfigAzure
    | DatasourceConfigGCS
    | DatasourceConfigLightly
    | DatasourceConfigLocal
    | DatasourceConfigOBS
    | DatasourceConfigS3
    | DatasourceConfigS3DelegatedAccess
)


class WinnowApiError(Exception):
    """A non-2xx answer: HTTP status, Lightly error code and the server's message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class ArtifactNotExist(ValueError):
    """The run has no artifact of the wanted type (lightly's ``ArtifactNotExist``)."""


class TagDoesNotExistError(ValueError):
    """No tag of that name in the dataset (lightly's ``TagDoesNotExistError``)."""


@dataclass(frozen=True)
class ComputeWorkerRunInfo:
    """A run's state and message; ``OPEN`` until a worker picks the scheduled run up."""

    state: str
    message: str

    def in_end_state(self) -> bool:
        return self.state in END_STATES

    def ended_successfully(self) -> bool:
        return self.state == "COMPLETED"


def snake_to_camel(key: str) -> str:
    """``a_b_c`` -> ``aBC``, exactly as lightly converts config keys."""
    if key == "stopping_condition_minimum_distance":  # snake_case on the wire
        return key
    first, *rest = key.split("_")
    return first + "".join(part.title() for part in rest)


def to_camel_keys(value: Any) -> Any:
    """snake_case dict keys to camelCase, recursively (not inside a strategy's ``target``)."""
    if isinstance(value, dict):
        return {
            snake_to_camel(k): (v if k in _VERBATIM_KEYS else to_camel_keys(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [to_camel_keys(v) for v in value]
    return value


def _value(member: Any) -> str:
    """An enum member's wire value, or the string itself."""
    return str(getattr(member, "value", member))


def _error_of(status: int, content: bytes) -> WinnowApiError:
    code, message = "", content.decode(errors="replace")
    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        code = str(body.get("code", ""))
        message = str(body.get("error") or body.get("detail") or message)
    return WinnowApiError(status, code, message)


def _check(response: Response[Any]) -> None:
    if not 200 <= response.status_code < 300:
        raise _error_of(int(response.status_code), response.content)


def _ok(response: Response[Any], kind: type[T]) -> T:
    """The parsed body of a 2xx answer, checked to be a ``kind``."""
    _check(response)
    parsed = response.parsed
    if not isinstance(parsed, kind):
        raise WinnowApiError(
            int(response.status_code),
            "UNEXPECTED_RESPONSE",
            f"expected {kind.__name__}, got {type(parsed).__name__}",
        )
    return parsed


def _ok_list(response: Response[Any], kind: type[T]) -> list[T]:
    """The parsed list body of a 2xx answer, each item checked to be a ``kind``."""
    _check(response)
    parsed = response.parsed
    if not isinstance(parsed, list) or not all(isinstance(item, kind) for item in parsed):
        raise WinnowApiError(
            int(response.status_code), "UNEXPECTED_RESPONSE", f"expected a list of {kind.__name__}"
        )
    return parsed


def _paginate(fetch: Callable[[int, int], list[T]], page_size: int) -> list[T]:
    """Every item: ``fetch(offset, page_size)`` with item offsets until a short or empty page."""
    items: list[T] = []
    offset = 0
    while True:
        page = fetch(offset, page_size)
        items.extend(page)
        if len(page) < page_size:
            return items
        offset += page_size


def _download(url: str, output_path: str | Path, timeout: float) -> None:
    """Write the bytes at a signed URL (no token) to ``output_path``, creating its parents."""
    path = Path(output_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
        response.raise_for_status()
        with path.open("wb") as fh:
            for chunk in response.iter_raw():
                fh.write(chunk)


class WinnowWorkflowClient:
    """The Winnow API with the method names and signatures of lightly's ``ApiWorkflowClient``.

    ``token``: else ``WINNOW_TOKEN`` / ``LIGHTLY_TOKEN``. ``server_location``: else
    ``WINNOW_SERVER_LOCATION`` / ``LIGHTLY_SERVER_LOCATION`` (the API's base URL).
    ``dataset_id`` is the dataset the dataset-scoped methods act on (``create_dataset`` sets it).
    """

    def __init__(
        self,
        token: str | None = None,
        dataset_id: str | None = None,
        *,
        server_location: str | None = None,
        timeout: float = 180.0,
    ) -> None:
        token = token or os.environ.get("WINNOW_TOKEN") or os.environ.get("LIGHTLY_TOKEN")
        if not token:
            raise ValueError("no token: pass token= or set WINNOW_TOKEN (or LIGHTLY_TOKEN)")
        location = (
            server_location
            or os.environ.get("WINNOW_SERVER_LOCATION")
            or os.environ.get("LIGHTLY_SERVER_LOCATION")
        )
        if not location:
            raise ValueError(
                "no server: pass server_location= or set WINNOW_SERVER_LOCATION "
                "(or LIGHTLY_SERVER_LOCATION) to the Winnow API's URL"
            )
        self.server_location = location.strip().rstrip("/")
        self.token = token
        # The token is a query parameter on every route (the Lightly wire format), so it is a
        # default parameter of the underlying httpx client rather than an argument per call.
        self.api = Client(
            base_url=self.server_location,
            timeout=httpx.Timeout(timeout),
            httpx_args={"params": {"token": token}},
        )
        self._dataset_id = dataset_id

    def close(self) -> None:
        self.api.get_httpx_client().close()

    def __enter__(self) -> WinnowWorkflowClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- datasets
    @property
    def dataset_id(self) -> str:
        """The current dataset; unset, the caller's most recently modified dataset."""
        if self._dataset_id is None:
            datasets = self.get_datasets()
            if not datasets:
                raise ValueError("no dataset: create one with create_dataset() first")
            latest = max(datasets, key=lambda d: d.last_modified_at)
            warnings.warn(
                f"Dataset has not been specified, taking the last modified dataset "
                f"{latest.name} as default dataset.",
                stacklevel=2,
            )
            self._dataset_id = latest.id
        return self._dataset_id

    @dataset_id.setter
    def dataset_id(self, dataset_id: str) -> None:
        if not self.dataset_exists(dataset_id):
            raise ValueError(f"A dataset with the id {dataset_id} does not exist.")
        self._dataset_id = dataset_id

    def _dataset(self, dataset_id: str | None = None) -> str:
        return dataset_id or self.dataset_id

    def create_dataset(
        self, dataset_name: str, dataset_type: str | DatasetType = DatasetType.IMAGES
    ) -> None:
        """Create a dataset and make it the current one; ``ValueError`` if the name is taken."""
        if self.get_datasets_by_name(dataset_name, shared=False):
            raise ValueError(
                f"A dataset with the name '{dataset_name}' already exists! Please use "
                "the `set_dataset_id_by_name()` method instead if you intend to reuse "
                "an existing dataset."
            )
        body = DatasetCreateRequest(
            name=dataset_name, type_=DatasetType(_value(dataset_type)), creator=Creator.USER_PIP
        )
        created = _ok(
            api_create_dataset.sync_detailed(client=self.api, body=body), CreateEntityResponse
        )
        self._dataset_id = created.id

    def set_dataset_id_by_name(self, dataset_name: str, shared: bool | None = False) -> None:
        datasets = self.get_datasets_by_name(dataset_name, shared=shared)
        if not datasets:
            raise ValueError(f"A dataset with the name '{dataset_name}' does not exist.")
        self._dataset_id = datasets[0].id

    def get_dataset_by_id(self, dataset_id: str) -> DatasetData:
        return _ok(get_dataset.sync_detailed(dataset_id, client=self.api), DatasetData)

    def dataset_exists(self, dataset_id: str) -> bool:
        """False only when the API answers 404; other errors are raised."""
        try:
            self.get_dataset_by_id(dataset_id)
        except WinnowApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def dataset_name_exists(self, dataset_name: str, shared: bool | None = False) -> bool:
        return bool(self.get_datasets_by_name(dataset_name, shared=shared))

    @staticmethod
    def _visibility(shared: bool | None) -> list[tuple[bool | Unset, bool | Unset]]:
        """(shared, getAssetsOfTeam) queries: own datasets, shared ones, or both (``None``)."""
        queries: list[tuple[bool | Unset, bool | Unset]] = []
        if shared is None or not shared:
            queries.append((False, UNSET))
        if shared is None or shared:
            queries += [(True, UNSET), (UNSET, True)]
        return queries

    def get_datasets(self, shared: bool | None = False) -> list[DatasetData]:
        """Own datasets; ``shared=True``: shared with you; ``None``: both (by id, once)."""
        seen: dict[str, DatasetData] = {}
        for shared_flag, team_flag in self._visibility(shared):

            def fetch(
                offset: int, size: int, s: bool | Unset = shared_flag, t: bool | Unset = team_flag
            ) -> list[DatasetData]:
                response = list_datasets.sync_detailed(
                    client=self.api,
                    shared=s,
                    get_assets_of_team=t,
                    page_size=size,
                    page_offset=offset,
                )
                return _ok_list(response, DatasetData)

            for dataset in _paginate(fetch, PAGE_SIZE):
                seen.setdefault(dataset.id, dataset)
        return list(seen.values())

    def get_all_datasets(self) -> list[DatasetData]:
        return self.get_datasets(shared=None)

    def get_datasets_by_name(
        self, dataset_name: str, shared: bool | None = False
    ) -> list[DatasetData]:
        """Datasets named exactly ``dataset_name`` (``[]`` when none)."""
        seen: dict[str, DatasetData] = {}
        for shared_flag, team_flag in self._visibility(shared):

            def fetch(
                offset: int, size: int, s: bool | Unset = shared_flag, t: bool | Unset = team_flag
            ) -> list[DatasetData]:
                response = query_datasets_by_name.sync_detailed(
                    dataset_name,
                    client=self.api,
                    exact=True,
                    shared=s,
                    get_assets_of_team=t,
                    page_size=size,
                    page_offset=offset,
                )
                return _ok_list(response, DatasetData)

            for dataset in _paginate(fetch, PAGE_SIZE):
                seen.setdefault(dataset.id, dataset)
        return list(seen.values())

    def delete_dataset_by_id(self, dataset_id: str) -> None:
        _check(delete_dataset.sync_detailed(dataset_id, client=self.api))
        if self._dataset_id == dataset_id:
            self._dataset_id = None

    # ------------------------------------------------------------- datasources
    def _set_datasource(self, body: Datasource) -> None:
        _check(put_datasource.sync_detailed(self.dataset_id, client=self.api, body=body))

    @staticmethod
    def _thumb(thumbnail_suffix: str | None) -> str | Unset:
        return UNSET if thumbnail_suffix is None else thumbnail_suffix

    def set_local_config(
        self,
        relative_path: str = "",
        web_server_location: str | None = "http://localhost:3456",
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        """A LOCAL datasource: a directory the workers see (under WORKER_LOCAL_DATASOURCE_ROOT)."""
        self._set_datasource(
            DatasourceConfigLocal(
                full_path=relative_path,
                purpose=DatasourcePurpose(_value(purpose)),
                type_="LOCAL",
                thumb_suffix=self._thumb(thumbnail_suffix),
                web_server_location=UNSET if web_server_location is None else web_server_location,
            )
        )

    def set_obs_config(
        self,
        resource_path: str,
        obs_endpoint: str,
        obs_access_key_id: str,
        obs_secret_access_key: str,
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        """An S3-compatible datasource (``obs://bucket/prefix`` at ``obs_endpoint``)."""
        self._set_datasource(
            DatasourceConfigOBS(
                full_path=resource_path,
                obs_endpoint=obs_endpoint,
                obs_access_key_id=obs_access_key_id,
                obs_secret_access_key=obs_secret_access_key,
                purpose=DatasourcePurpose(_value(purpose)),
                type_="OBS",
                thumb_suffix=self._thumb(thumbnail_suffix),
            )
        )

    def set_s3_config(
        self,
        resource_path: str,
        region: str,
        access_key: str,
        secret_access_key: str,
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        """An AWS S3 datasource (``s3://bucket/prefix``; ``region`` is an AWS region)."""
        self._set_datasource(
            DatasourceConfigS3(
                full_path=resource_path,
                s_3_region=DatasourceConfigS3S3Region(_value(region)),
                s_3_access_key_id=access_key,
                s_3_secret_access_key=secret_access_key,
                purpose=DatasourcePurpose(_value(purpose)),
                type_="S3",
                thumb_suffix=self._thumb(thumbnail_suffix),
            )
        )

    def set_s3_delegated_access_config(
        self,
        resource_path: str,
        region: str,
        role_arn: str,
        external_id: str,
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        self._set_datasource(
            DatasourceConfigS3DelegatedAccess(
                full_path=resource_path,
                s_3_region=DatasourceConfigS3DelegatedAccessS3Region(_value(region)),
                s_3arn=role_arn,
                s_3_external_id=external_id,
                purpose=DatasourcePurpose(_value(purpose)),
                type_="S3DelegatedAccess",
                thumb_suffix=self._thumb(thumbnail_suffix),
            )
        )

    def set_gcs_config(
        self,
        resource_path: str,
        project_id: str,
        credentials: str,
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        self._set_datasource(
            DatasourceConfigGCS(
                full_path=resource_path,
                gcs_project_id=project_id,
                gcs_credentials=credentials,
                purpose=DatasourcePurpose(_value(purpose)),
                type_="GCS",
                thumb_suffix=self._thumb(thumbnail_suffix),
            )
        )

    def set_azure_config(
        self,
        container_name: str,
        account_name: str,
        sas_token: str,
        thumbnail_suffix: str | None = DEFAULT_THUMB_SUFFIX,
        purpose: str | DatasourcePurpose = DatasourcePurpose.INPUT_OUTPUT,
    ) -> None:
        self._set_datasource(
            DatasourceConfigAzure(
                full_path=container_name,
                account_name=account_name,
                account_key=sas_token,
                purpose=DatasourcePurpose(_value(purpose)),
                type_="AZURE",
                thumb_suffix=self._thumb(thumbnail_suffix),
            )
        )

    def get_datasource(self, purpose: str | DatasourcePurpose | None = None) -> Datasource:
        """The INPUT_OUTPUT datasource, else INPUT (or exactly ``purpose``); secrets masked."""
        response = api_get_datasource.sync_detailed(
            self.dataset_id,
            client=self.api,
            purpose=UNSET if purpose is None else DatasourcePurpose(_value(purpose)),
        )
        _check(response)
        parsed = response.parsed
        if not isinstance(parsed, Datasource):
            raise WinnowApiError(
                int(response.status_code), "UNEXPECTED_RESPONSE", "expected a datasource config"
            )
        return parsed

    def list_datasource_permissions(self) -> dict[str, Any]:
        """``{"can_read": ..., "can_write": ..., "can_list": ..., "can_overwrite": ...}``
        plus ``errors`` (snake_case keys, as lightly returns them)."""
        response = verify_datasource.sync_detailed(self.dataset_id, client=self.api)
        data = _ok(response, DatasourceConfigVerifyData)
        result: dict[str, Any] = {
            "can_read": data.can_read,
            "can_write": data.can_write,
            "can_list": data.can_list,
            "can_overwrite": data.can_overwrite,
        }
        errors = data.errors
        if errors is not None and not isinstance(errors, Unset):
            result["errors"] = {
                key: value
                for key in ("can_read", "can_write", "can_list", "can_overwrite")
                if isinstance(value := getattr(errors, key), str)
            }
        return result

    # ----------------------------------------------------------------- workers
    def register_compute_worker(
        self, name: str = "Default", labels: list[str] | None = None
    ) -> str:
        """Register a worker (idempotent by name); returns its id."""
        body = CreateWorkerRequest(
            name=name, worker_type="FULL", labels=labels or [], creator=Creator.USER_PIP
        )
        return _ok(
            register_worker.sync_detailed(client=self.api, body=body), CreateEntityResponse
        ).id

    def get_compute_workers(self) -> list[WorkerData]:
        return _ok_list(list_workers.sync_detailed(client=self.api), WorkerData)

    def get_compute_worker_ids(self) -> list[str]:
        return [worker.id for worker in self.get_compute_workers()]

    def delete_compute_worker(self, worker_id: str) -> None:
        _check(delete_worker.sync_detailed(worker_id, client=self.api))

    # -------------------------------------------------------------------- runs
    def create_compute_worker_config(
        self,
        worker_config: dict[str, Any] | None = None,
        lightly_config: dict[str, Any] | None = None,
        selection_config: dict[str, Any] | None = None,
    ) -> str:
        """Store a V4 worker config (snake_case keys, converted like lightly); returns its id."""
        config: dict[str, Any] = {"workerType": "FULL"}
        for key, section in (
            ("docker", worker_config),
            ("lightly", lightly_config),
            ("selection", selection_config),
        ):
            if section is not None:
                config[key] = to_camel_keys(section)
        body = WorkerConfigCreateRequest.from_dict(
            {"version": "V4", "config": config, "creator": "USER_PIP"}
        )
        return _ok(
            create_worker_config.sync_detailed(client=self.api, body=body), CreateEntityResponse
        ).id

    def schedule_compute_worker_run(
        self,
        worker_config: dict[str, Any] | None = None,
        lightly_config: dict[str, Any] | None = None,
        selection_config: dict[str, Any] | None = None,
        priority: str | ScheduledRunPriority = ScheduledRunPriority.MID,
        runs_on: list[str] | None = None,
    ) -> str:
        """Store the config and schedule a run on the current dataset; returns the scheduled id."""
        config_id = self.create_compute_worker_config(
            worker_config=worker_config,
            lightly_config=lightly_config,
            selection_config=selection_config,
        )
        body = ScheduledRunCreateRequest(
            config_id=config_id,
            priority=ScheduledRunPriority(_value(priority)),
            runs_on=list(runs_on or []),
            creator=Creator.USER_PIP,
        )
        response = schedule_run.sync_detailed(self.dataset_id, client=self.api, body=body)
        return _ok(response, CreateEntityResponse).id

    def get_scheduled_compute_worker_runs(
        self, state: str | ScheduledRunState | None = None
    ) -> list[ScheduledRunData]:
        """The current dataset's scheduled runs; without ``state`` the OPEN and LOCKED ones."""
        response = list_scheduled_runs.sync_detailed(
            self.dataset_id,
            client=self.api,
            state=UNSET if state is None else ScheduledRunState(_value(state)),
        )
        return _ok_list(response, ScheduledRunData)

    def get_compute_worker_run_from_scheduled_run(self, scheduled_run_id: str) -> RunData:
        """The run a worker started for the scheduled run (``WinnowApiError`` 404 before)."""
        return _ok(
            get_run_of_scheduled_run.sync_detailed(scheduled_run_id, client=self.api), RunData
        )

    def get_compute_worker_run(self, run_id: str) -> RunData:
        return _ok(get_run.sync_detailed(run_id, client=self.api), RunData)

    def get_compute_worker_runs(self, dataset_id: str | None = None) -> list[RunData]:
        """All runs of ``dataset_id`` (all of yours without it), oldest first."""
        if dataset_id is None:

            def fetch(offset: int, size: int) -> list[RunData]:
                response = list_runs.sync_detailed(
                    client=self.api, page_size=size, page_offset=offset
                )
                return _ok_list(response, RunData)
        else:

            def fetch(offset: int, size: int) -> list[RunData]:
                response = list_runs_of_dataset.sync_detailed(
                    dataset_id, client=self.api, page_size=size, page_offset=offset
                )
                return _ok_list(response, RunData)

        return sorted(_paginate(fetch, PAGE_SIZE), key=lambda run: run.created_at)

    def get_compute_worker_run_info(self, scheduled_run_id: str) -> ComputeWorkerRunInfo:
        """The run's state; ``OPEN`` while no worker picked it up, ``CANCELED_OR_NOT_EXISTING``
        when the scheduled run is gone."""
        try:
            run = self.get_compute_worker_run_from_scheduled_run(scheduled_run_id)
            return ComputeWorkerRunInfo(_value(run.state), run.message or "")
        except WinnowApiError:
            pass
        try:
            scheduled = self.get_scheduled_compute_worker_runs()
        except WinnowApiError:
            scheduled = []
        if any(s.id == scheduled_run_id for s in scheduled):
            return ComputeWorkerRunInfo(
                "OPEN", "Waiting for pickup by Lightly Worker. Make sure to start a worker."
            )
        return ComputeWorkerRunInfo(
            "CANCELED_OR_NOT_EXISTING", "Scheduled run was canceled or does not exist."
        )

    def compute_worker_run_info_generator(
        self, scheduled_run_id: str, poll_interval_s: float = 5.0
    ) -> Iterator[ComputeWorkerRunInfo]:
        """Yield the run's info whenever state or message changes, until it ends.

        lightly polls every 30 s; ``poll_interval_s`` sets the pause between polls here.
        """
        last: ComputeWorkerRunInfo | None = None
        while True:
            info = self.get_compute_worker_run_info(scheduled_run_id)
            if info != last:
                yield info
                last = info
            if info.in_end_state():
                return
            time.sleep(poll_interval_s)

    def get_compute_worker_run_tags(self, run_id: str) -> list[TagData]:
        """The run's tags in the current dataset, newest first."""
        tags = _ok_list(list_run_tags.sync_detailed(run_id, client=self.api), TagData)
        return [tag for tag in tags if tag.dataset_id == self.dataset_id]

    # --------------------------------------------------------------- artifacts
    @staticmethod
    def _artifact(run: RunData, artifact_type: str) -> RunArtifactData:
        for artifact in run.artifacts or []:
            if _value(artifact.type_) == artifact_type:
                return artifact
        raise ArtifactNotExist(f"Run {run.id} has no artifact of type {artifact_type}.")

    def _artifact_url(self, run: RunData, artifact: RunArtifactData) -> str:
        response = get_artifact_read_url.sync_detailed(run.id, artifact.id, client=self.api)
        return _ok(response, str)

    def _download_artifact(
        self, run: RunData, artifact_type: str, output_path: str | Path, timeout: float
    ) -> None:
        artifact = self._artifact(run, artifact_type)
        _download(self._artifact_url(run, artifact), output_path, timeout)

    def download_compute_worker_run_artifacts(
        self, run: RunData, output_dir: str | Path, timeout: float = 60
    ) -> None:
        """Every artifact of the run, to ``output_dir/<artifact file name>``."""
        for artifact in run.artifacts or []:
            url = self._artifact_url(run, artifact)
            _download(url, Path(output_dir) / artifact.file_name, timeout)

    def download_compute_worker_run_checkpoint(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        self._download_artifact(run, "CHECKPOINT", output_path, timeout)

    def get_compute_worker_run_checkpoint_url(self, run: RunData) -> str:
        return self._artifact_url(run, self._artifact(run, "CHECKPOINT"))

    def download_compute_worker_run_report_pdf(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        self._download_artifact(run, "REPORT_PDF", output_path, timeout)

    def download_compute_worker_run_report_json(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        self._download_artifact(run, "REPORT_JSON", output_path, timeout)

    def download_compute_worker_run_report_v2_json(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        self._download_artifact(run, "REPORT_V2_JSON", output_path, timeout)

    def download_compute_worker_run_log(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        self._download_artifact(run, "LOG", output_path, timeout)

    def download_compute_worker_run_memory_log(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        self._download_artifact(run, "MEMLOG", output_path, timeout)

    def download_compute_worker_run_corruptness_check_information(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        self._download_artifact(run, "CORRUPTNESS_CHECK_INFORMATION", output_path, timeout)

    def download_compute_worker_run_sequence_information(
        self, run: RunData, output_path: str | Path, timeout: float = 60
    ) -> None:
        self._download_artifact(run, "SEQUENCE_INFORMATION", output_path, timeout)

    # -------------------------------------------------------------------- tags
    def get_all_tags(self) -> list[TagData]:
        return _ok_list(list_tags.sync_detailed(self.dataset_id, client=self.api), TagData)

    def get_tag_by_id(self, tag_id: str) -> TagData:
        return _ok(get_tag.sync_detailed(self.dataset_id, tag_id, client=self.api), TagData)

    def get_tag_by_name(self, tag_name: str) -> TagData:
        for tag in self.get_all_tags():
            if tag.name == tag_name:
                return self.get_tag_by_id(tag.id)
        raise TagDoesNotExistError(f"Your tag_name does not exist: {tag_name}")

    def _export(self, tag_id: str, file_name_format: str) -> list[str]:
        """One filename export of a tag, page by page, as a list of lines."""

        def fetch(offset: int, size: int) -> list[str]:
            response = export_tag_filenames.sync_detailed(
                self.dataset_id,
                tag_id,
                client=self.api,
                file_name_format=FileNameFormat(file_name_format),
                page_size=size,
                page_offset=offset,
            )
            text = _ok(response, str)
            return text.split("\n") if text else []

        return _paginate(fetch, PAGE_SIZE)

    def export_filenames_by_tag_id(self, tag_id: str) -> str:
        """The tag's filenames (relative to the INPUT datasource), one per line."""
        return "\n".join(self._export(tag_id, "NAME"))

    def export_filenames_by_tag_name(self, tag_name: str) -> str:
        return self.export_filenames_by_tag_id(self.get_tag_by_name(tag_name).id)

    def export_filenames_and_read_urls_by_tag_id(self, tag_id: str) -> list[dict[str, str]]:
        """``[{"fileName", "readUrl", "datasourceUrl"}]``: read URLs work without a token."""
        names = self._export(tag_id, "NAME")
        urls = self._export(tag_id, "REDIRECTED_READ_URL")
        full = self._export(tag_id, "DATASOURCE_FULL")
        if not len(names) == len(urls) == len(full):
            raise RuntimeError("the three filename exports of the tag differ in length")
        return [
            {"fileName": n, "readUrl": u, "datasourceUrl": d}
            for n, u, d in zip(names, urls, full, strict=True)
        ]

    def export_filenames_and_read_urls_by_tag_name(self, tag_name: str) -> list[dict[str, str]]:
        return self.export_filenames_and_read_urls_by_tag_id(self.get_tag_by_name(tag_name).id)

    def _mappings(self, field: str) -> list[str]:
        def fetch(offset: int, size: int) -> list[str]:
            response = get_mappings.sync_detailed(
                self.dataset_id,
                client=self.api,
                field=GetMappingsField(field),
                page_size=size,
                page_offset=offset,
            )
            return _ok_list(response, str)

        return _paginate(fetch, SAMPLE_PAGE_SIZE)

    def get_filenames(self) -> list[str]:
        """Every sample's filename, in the order the tags' bitmasks index them."""
        return self._mappings("fileName")

    def get_filenames_in_tag(
        self,
        tag_data: TagData,
        filenames_on_server: list[str] | None = None,
        exclude_parent_tag: bool = False,
    ) -> list[str]:
        """The filenames the tag's bitmask selects (minus its parent's with
        ``exclude_parent_tag``)."""
        bitmask_hex = tag_data.bit_mask_data
        prev = tag_data.prev_tag_id
        if exclude_parent_tag and isinstance(prev, str):
            body = TagArithmeticsRequest(
                tag_id_1=tag_data.id,
                tag_id_2=prev,
                operation=TagArithmeticsRequestOperation.DIFFERENCE,
            )
            response = tag_arithmetics.sync_detailed(self.dataset_id, client=self.api, body=body)
            bitmask_hex = _ok(response, TagBitMaskResponse).bit_mask_data
        filenames = filenames_on_server if filenames_on_server is not None else self.get_filenames()
        bitmask = int(bitmask_hex, 16)
        return [name for i, name in enumerate(filenames) if bitmask >> i & 1]

    def create_tag_from_filenames(
        self, fnames_new_tag: Sequence[str], new_tag_name: str, parent_tag_id: str | None = None
    ) -> CreateEntityResponse:
        """A tag holding exactly ``fnames_new_tag`` (parent: ``initial-tag`` by default)."""
        tags = self.get_all_tags()
        if not tags:
            raise RuntimeError("There are no tags in the dataset; run a selection first.")
        if any(tag.name == new_tag_name for tag in tags):
            raise RuntimeError(f"There already exists a tag with tag_name {new_tag_name}.")
        if parent_tag_id is None:
            initial = next((tag for tag in tags if tag.name == "initial-tag"), None)
            if initial is None:
                raise RuntimeError("There is no initial-tag to use as the parent tag.")
            parent_tag_id = initial.id
        index = {name: i for i, name in enumerate(self.get_filenames())}
        bitmask = 0
        for name in fnames_new_tag:
            if name not in index:
                raise RuntimeError(f"An image with filename {name} does not exist on the server.")
            bitmask |= 1 << index[name]
        body = TagCreateRequest(
            name=new_tag_name,
            prev_tag_id=parent_tag_id,
            bit_mask_data=hex(bitmask),
            tot_size=len(index),
            creator=TagCreator.USER_PIP,
        )
        response = create_tag.sync_detailed(self.dataset_id, client=self.api, body=body)
        return _ok(response, CreateEntityResponse)

    # ----------------------------------------------------------- collaboration
    def share_dataset_only_with(self, dataset_id: str, user_emails: list[str]) -> None:
        """Give exactly ``user_emails`` write access (``[]`` revokes everyone)."""
        body = SharedAccessConfigCreateRequest(
            access_type="WRITE", users=list(user_emails), creator=Creator.USER_PIP
        )
        _check(share_dataset.sync_detailed(dataset_id, client=self.api, body=body))

    def get_shared_users(self, dataset_id: str) -> list[str]:
        configs = _ok_list(
            get_shared_access.sync_detailed(dataset_id, client=self.api), SharedAccessConfigData
        )
        for config in configs:
            if config.access_type == "WRITE":
                return list(config.users)
        return []

    # --------------------------------------------------------- custom metadata
    def upload_custom_metadata(
        self, custom_metadata: dict[str, Any], verbose: bool = False, max_workers: int = 8
    ) -> None:
        """COCO-style ``{"images": [{"file_name", "id"}], "metadata": [{"image_id", ...}]}``:
        each metadata entry becomes its sample's ``customMetaData``."""
        dataset_id = self.dataset_id

        def fetch(offset: int, size: int) -> list[SampleDataModes]:
            response = get_samples_partial.sync_detailed(
                dataset_id,
                client=self.api,
                mode=GetSamplesPartialMode("fileNames"),
                page_size=size,
                page_offset=offset,
            )
            return _ok_list(response, SampleDataModes)

        sample_ids = {
            s.file_name: s.id
            for s in _paginate(fetch, SAMPLE_PAGE_SIZE)
            if isinstance(s.file_name, str)
        }
        filenames = {image["id"]: image["file_name"] for image in custom_metadata["images"]}
        updates: list[tuple[str, dict[str, Any]]] = []
        for entry in custom_metadata["metadata"]:
            name = filenames.get(entry["image_id"])
            if name is None or name not in sample_ids:
                warnings.warn(
                    f"No sample with the filename of image_id {entry['image_id']} "
                    "in the dataset: skipped.",
                    stacklevel=2,
                )
                continue
            updates.append((sample_ids[name], entry))

        def put(item: tuple[str, dict[str, Any]]) -> None:
            sample_id, entry = item
            body = SampleUpdateRequest.from_dict({"customMetaData": entry})
            _check(update_sample.sync_detailed(dataset_id, sample_id, client=self.api, body=body))

        with ThreadPoolExecutor(max_workers=max_workers) as pool:
            list(pool.map(put, updates))
        if verbose:
            print(f"Uploaded custom metadata of {len(updates)} samples.")


# lightly's name: `from winnow_client import ApiWorkflowClient` replaces
# `from lightly.api import ApiWorkflowClient`.
ApiWorkflowClient = WinnowWorkflowClient
