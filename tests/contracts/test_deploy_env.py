"""Environment parity of the deploy files: every variable our Compose services and Kubernetes
containers set is a winnow_common.config setting, the required ones are set, and the settings
classes accept them. Which services are ours: see deploy_files.py.
"""

from __future__ import annotations

import pytest

from tests.contracts.deploy_files import (
    COMPOSE_PARAMS,
    SETTINGS_ENV,
    ComposeSetup,
    interpolate,
    is_oneshot,
    k8s_container_env,
    k8s_workloads,
    our_services,
    pod_spec,
    required_for,
)
from winnow_common.config import ALL_SETTINGS_CLASSES


@COMPOSE_PARAMS
def test_compose_env_vars_are_settings_fields(compose: ComposeSetup) -> None:
    problems = []
    services = compose.services()
    for name in our_services(services):
        svc = services[name]
        if "env_file" in svc:
            problems.append(f"service {name!r} uses env_file, which this contract cannot check")
        for key in svc.get("environment", {}):
            if key not in SETTINGS_ENV:
                problems.append(
                    f"service {name!r} sets {key!r}, which no winnow_common.config class reads"
                )
    assert not problems, f"{compose.label}:\n  " + "\n  ".join(problems)


@COMPOSE_PARAMS
def test_compose_required_env_is_set(compose: ComposeSetup) -> None:
    problems = []
    services = compose.services()
    for name in our_services(services):
        svc = services[name]
        env = svc.get("environment", {})
        for key in required_for(is_oneshot(svc)):
            if not env.get(key):
                problems.append(f"service {name!r} does not set required {key!r}")
    assert not problems, f"{compose.label}:\n  " + "\n  ".join(problems)


@COMPOSE_PARAMS
def test_compose_env_is_accepted_by_the_settings(
    compose: ComposeSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With Compose's defaults filled in, every settings class validates each service's env."""
    problems = []
    services = compose.services()
    for name in our_services(services):
        env = {k: interpolate(v) for k, v in services[name].get("environment", {}).items() if v}
        for key in SETTINGS_ENV:
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        for cls in ALL_SETTINGS_CLASSES:
            try:
                cls()
            except ValueError as exc:
                problems.append(f"service {name!r}: {cls.__name__} rejects its env: {exc}")
        if not env.get("DATABASE_URL", "").startswith("postgresql+psycopg://"):
            problems.append(f"service {name!r}: DATABASE_URL must use postgresql+psycopg://")
    assert not problems, f"{compose.label}:\n  " + "\n  ".join(problems)


def test_k8s_env_vars_are_settings_fields() -> None:
    problems = []
    workloads = list(k8s_workloads())
    assert workloads, "deploy/k8s defines no workload"
    for label, _, container in workloads:
        for key in k8s_container_env(label, container):
            if key not in SETTINGS_ENV:
                problems.append(f"{label} sets {key!r}, which no winnow_common.config class reads")
    assert not problems, "\n  ".join(["deploy/k8s:", *problems])


def test_k8s_required_env_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    problems = []
    for label, doc, container in k8s_workloads():
        if container in pod_spec(doc).get("initContainers", []):
            continue
        env = k8s_container_env(label, container)
        oneshot = doc["kind"] in ("Job", "CronJob")
        for key in required_for(oneshot):
            if key not in env:
                problems.append(f"{label} does not set required {key!r}")
        for key in SETTINGS_ENV:
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            if value is not None:
                monkeypatch.setenv(key, value)
        for cls in ALL_SETTINGS_CLASSES:
            try:
                cls()
            except ValueError as exc:
                problems.append(f"{label}: {cls.__name__} rejects its env: {exc}")
    assert not problems, "\n  ".join(["deploy/k8s:", *problems])
