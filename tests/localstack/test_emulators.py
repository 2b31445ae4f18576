"""The launcher's cloud storage emulators: started on demand, reused, restarted when dead,
stopped by ``down``; the stack env names their endpoints only while they run."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT
from winnow_localstack import LocalStack
from winnow_localstack.emulators import NAMES, azurite_binary
from winnow_localstack.procs import pid_alive, wait_until


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> LocalStack:
    if not azurite_binary(REPO_ROOT).exists():
        pytest.fail("Azurite is not installed: run `make install` (winnow-stack install-emulators)")
    stack = LocalStack(tmp_path_factory.mktemp("emu") / "state", REPO_ROOT, environ={})
    env = stack.up(with_services=False)
    # The normal stack pays nothing for them.
    assert "GCS_ENDPOINT_URL" not in env and "AZURE_BLOB_ENDPOINT" not in env
    return stack


def _pids(stack: LocalStack) -> dict[str, int]:
    record = stack._record() or {}
    return {name: int(rec["pid"]) for name, rec in (record.get("emulators") or {}).items()}


def test_emulators_start_answer_and_are_reused(stack: LocalStack) -> None:
    env = stack.start_emulators()
    assert stack.env()["GCS_ENDPOINT_URL"] == env["GCS_ENDPOINT_URL"]
    buckets = httpx.get(f"{env['GCS_ENDPOINT_URL']}/storage/v1/b", params={"project": "p"})
    assert buckets.status_code == 200 and buckets.json()["kind"] == "storage#buckets"
    # Azurite answers Blob requests (403: this one is not signed).
    listing = httpx.get(f"{env['AZURE_BLOB_ENDPOINT']}/devstoreaccount1", params={"comp": "list"})
    assert listing.status_code == 403 and "AuthorizationFailure" in listing.text
    pids = _pids(stack)
    assert set(pids) == set(NAMES) and all(pid_alive(p) for p in pids.values())
    assert stack.start_emulators() == env and _pids(stack) == pids  # reused
    assert stack.up(with_services=False, with_emulators=True) == env and _pids(stack) == pids


def test_dead_emulator_restarts_on_its_port(stack: LocalStack) -> None:
    env = stack.start_emulators()
    pids = _pids(stack)
    os.killpg(pids["azure"], signal.SIGKILL)
    assert wait_until(lambda: not pid_alive(pids["azure"]), 10)
    healed = stack.up(with_services=False, with_emulators=True)
    assert healed["AZURE_BLOB_ENDPOINT"] == env["AZURE_BLOB_ENDPOINT"]
    now = _pids(stack)
    assert now["gcs"] == pids["gcs"] and now["azure"] != pids["azure"]
    assert pid_alive(now["azure"])


def test_down_stops_the_emulators(stack: LocalStack) -> None:
    stack.start_emulators()
    pids = _pids(stack)
    stack.down()
    assert all(wait_until(lambda p=p: not pid_alive(p), 15) for p in pids.values())
    assert not Path(stack.paths.stack_env).exists()
