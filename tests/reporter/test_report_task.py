"""The reporter's run task on the real database: artifacts registered once, replaced on re-run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.reporter.test_report_build import make_run_folder
from winnow_common.db.models import (
    Dataset,
    Datasource,
    Run,
    RunArtifact,
    ScheduledRun,
    User,
    WorkerConfig,
)
from winnow_common.db.session import session_factory
from winnow_common.enums import RunState
from winnow_common.storage import LocalStore, RunKeys


def _run_in_generating_report(root: Path) -> str:
    with session_factory().begin() as session:
        user = User(email=f"reporter-{root.name}@winnow.test")
        session.add(user)
        session.flush()
        dataset = Dataset(user_id=user.id, name="report task")
        session.add(dataset)
        session.flush()
        for purpose in ("INPUT", "LIGHTLY"):
            path = root / "input" if purpose == "INPUT" else root
            session.add(
                Datasource(
                    dataset_id=dataset.id,
                    purpose=purpose,
                    type="LOCAL",
                    full_path=str(path),
                    options={},
                    secrets_encrypted="",
                )
            )
        config = WorkerConfig(
            user_id=user.id,
            version="V4",
            config={
                "selection": {
                    "nSamples": 5,
                    "strategies": [
                        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}
                    ],
                }
            },
        )
        session.add(config)
        session.flush()
        scheduled = ScheduledRun(
            dataset_id=dataset.id, user_id=user.id, config_id=config.id, state="DONE"
        )
        session.add(scheduled)
        session.flush()
        run = Run(
            user_id=user.id,
            dataset_id=dataset.id,
            config_id=config.id,
            scheduled_id=scheduled.id,
            docker_version="test",
            state=RunState.GENERATING_REPORT.value,
            processing_started_at=1_700_000_000_000,
        )
        session.add(run)
        session.flush()
        return run.id


def test_rerunning_the_report_replaces_its_artifacts(migrated_db: str, tmp_path: Path) -> None:
    from winnow_reporter.service import render_run_report

    run_id = _run_in_generating_report(tmp_path)
    keys = RunKeys.for_run(run_id)
    make_run_folder(tmp_path, n=40, n_selected=5, keys=keys)
    store = LocalStore(tmp_path)

    render_run_report(run_id)
    first = json.loads(store.read(keys.report_v2_json))
    with session_factory().begin() as session:
        run = session.get(Run, run_id)
        assert run is not None and run.state == RunState.COMPLETED.value, run.message
        run.state = RunState.GENERATING_REPORT.value  # as if the task were delivered twice
    render_run_report(run_id)
    second = json.loads(store.read(keys.report_v2_json))

    with session_factory().begin() as session:
        types = [
            a.type for a in session.scalars(select(RunArtifact).where(RunArtifact.run_id == run_id))
        ]
        assert session.get(Run, run_id).state == RunState.COMPLETED.value  # type: ignore[union-attr]
    # The reporter recomposes log.txt (every attempt's log) and registers it, once.
    assert sorted(types) == ["LOG", "REPORT_JSON", "REPORT_PDF", "REPORT_V2_JSON"]
    # Only the end timestamp (and so the processing time) may differ between the renders.
    for report in (first, second):
        info = report["generalInformation"]["runInformation"]
        info["endTimestamp"] = info["totalProcessingTimeS"] = None
    assert first == second
    assert not any("not reachable" in n or "could not be read" in n for n in second["notes"])


@pytest.mark.parametrize("state", [RunState.COMPLETED, RunState.FAILED])
def test_a_finished_run_is_not_rendered_again(
    migrated_db: str, tmp_path: Path, state: RunState
) -> None:
    from winnow_reporter.service import render_run_report

    run_id = _run_in_generating_report(tmp_path)
    with session_factory().begin() as session:
        session.get(Run, run_id).state = state.value  # type: ignore[union-attr]
    render_run_report(run_id)  # no run folder: rendering would fail if it were attempted
    with session_factory().begin() as session:
        assert session.get(Run, run_id).state == state.value  # type: ignore[union-attr]
