"""``ComputeWorkerMixin``: workers, worker configs, scheduled runs and runs (lightly's
``_ComputeWorkerMixin``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from winnow_client.generated.api.runs import (
    create_worker_config,
    get_run,
    get_run_of_scheduled_run,
    list_run_tags,
    list_runs,
    list_runs_of_dataset,
    list_scheduled_runs,
    schedule_run,
)
from winnow_client.generated.api.workers import delete_worker, list_workers, register_worker
from winnow_client.generated.models import (
    CreateEntityResponse,
    CreateWorkerRequest,
    Creator,
    RunData,
    ScheduledRunCreateRequest,
    ScheduledRunData,
    ScheduledRunPriority,
    ScheduledRunState,
    TagData,
    WorkerConfigCreateRequest,
    WorkerData,
)
from winnow_client.generated.types import UNSET
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import PAGE_SIZE, check, ok, ok_list, paginate, wire_value
from winnow_client.workflow.errors import WinnowApiError

END_STATES = frozenset({"COMPLETED", "FAILED", "CRASHED", "ABORTED", "CANCELED_OR_NOT_EXISTING"})
# Keys whose dict values are data, not config fields: their keys stay as they are.
_VERBATIM_KEYS = frozenset({"target"})


@dataclass(frozen=True)
class ComputeWorkerRunInfo:
    """A run's state and message; ``OPEN`` until a worker picks the scheduled run up."""

    state: str
    message: str

    def in_end_state(self) -> bool:
        """Whether the run is over (completed, failed, crashed, aborted or gone)."""
        return self.state in END_STATES

    def ended_successfully(self) -> bool:
        """Whether the run ended ``COMPLETED``."""
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


class ComputeWorkerMixin(WorkflowBase):
    """Register workers, store configs, schedule runs and follow them to their end."""

    def register_compute_worker(
        self, name: str = "Default", labels: list[str] | None = None
    ) -> str:
        """Register a worker (idempotent by name); returns its id."""
        body = CreateWorkerRequest(
            name=name, worker_type="FULL", labels=labels or [], creator=Creator.USER_PIP
        )
        return ok(
            register_worker.sync_detailed(client=self.api, body=body), CreateEntityResponse
        ).id

    def get_compute_workers(self) -> list[WorkerData]:
        """Every registered worker."""
        return ok_list(list_workers.sync_detailed(client=self.api), WorkerData)

    def get_compute_worker_ids(self) -> list[str]:
        """The ids of every registered worker."""
        return [worker.id for worker in self.get_compute_workers()]

    def delete_compute_worker(self, worker_id: str) -> None:
        """Remove a registered worker."""
        check(delete_worker.sync_detailed(worker_id, client=self.api))

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
        return ok(
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
            priority=ScheduledRunPriority(wire_value(priority)),
            runs_on=list(runs_on or []),
            creator=Creator.USER_PIP,
        )
        response = schedule_run.sync_detailed(self.dataset_id, client=self.api, body=body)
        return ok(response, CreateEntityResponse).id

    def get_scheduled_compute_worker_runs(
        self, state: str | ScheduledRunState | None = None
    ) -> list[ScheduledRunData]:
        """The current dataset's scheduled runs; without ``state`` the OPEN and LOCKED ones."""
        response = list_scheduled_runs.sync_detailed(
            self.dataset_id,
            client=self.api,
            state=UNSET if state is None else ScheduledRunState(wire_value(state)),
        )
        return ok_list(response, ScheduledRunData)

    def get_compute_worker_run_from_scheduled_run(self, scheduled_run_id: str) -> RunData:
        """The run a worker started for the scheduled run (``WinnowApiError`` 404 before)."""
        return ok(
            get_run_of_scheduled_run.sync_detailed(scheduled_run_id, client=self.api), RunData
        )

    def get_compute_worker_run(self, run_id: str) -> RunData:
        """The run with the id ``run_id``."""
        return ok(get_run.sync_detailed(run_id, client=self.api), RunData)

    def get_compute_worker_runs(self, dataset_id: str | None = None) -> list[RunData]:
        """All runs of ``dataset_id`` (all of yours without it), oldest first."""
        if dataset_id is None:

            def fetch(offset: int, size: int) -> list[RunData]:
                response = list_runs.sync_detailed(
                    client=self.api, page_size=size, page_offset=offset
                )
                return ok_list(response, RunData)
        else:

            def fetch(offset: int, size: int) -> list[RunData]:
                response = list_runs_of_dataset.sync_detailed(
                    dataset_id, client=self.api, page_size=size, page_offset=offset
                )
                return ok_list(response, RunData)

        return sorted(paginate(fetch, PAGE_SIZE), key=lambda run: run.created_at)

    def get_compute_worker_run_info(self, scheduled_run_id: str) -> ComputeWorkerRunInfo:
        """The run's state; ``OPEN`` while no worker picked it up, ``CANCELED_OR_NOT_EXISTING``
        when the scheduled run is gone."""
        try:
            run = self.get_compute_worker_run_from_scheduled_run(scheduled_run_id)
            return ComputeWorkerRunInfo(wire_value(run.state), run.message or "")
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
        tags = ok_list(list_run_tags.sync_detailed(run_id, client=self.api), TagData)
        return [tag for tag in tags if tag.dataset_id == self.dataset_id]
