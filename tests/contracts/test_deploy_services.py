"""The deploy files' services, checked statically: Compose builds every service image and gives
long-running services healthchecks, the GPU override reserves a GPU, the Kustomize base runs our
images with probes and the image's CMD, and its example Secret holds only placeholders.
"""

from __future__ import annotations

import yaml

from tests.contracts.deploy_files import (
    COMPOSE_FILE,
    COMPOSE_OVERRIDES,
    COMPOSE_PARAMS,
    EXPECTED_COMPOSE_SERVICES,
    K8S_DIR,
    REPO,
    SERVICE_DOCKERFILES,
    ComposeSetup,
    compose_services,
    image_name,
    is_oneshot,
    k8s_documents,
    k8s_sources,
    k8s_workloads,
    load_yaml,
    our_image_names,
    our_services,
    repo_rel,
)
from tests.contracts.dockerfile_parse import (
    argv_of,
    dockerfile_cmd,
)


def test_compose_files_exist() -> None:
    assert COMPOSE_FILE.is_file(), "docker-compose.yml is missing at the repository root"
    assert (REPO / "deploy" / "compose" / "gpu.yml") in COMPOSE_OVERRIDES


@COMPOSE_PARAMS
def test_compose_builds_every_service_image(compose: ComposeSetup) -> None:
    services = compose.services()
    ours = our_services(services)
    missing = EXPECTED_COMPOSE_SERVICES - set(ours)
    assert not missing, (
        f"{compose.label}: services {sorted(missing)} are missing or not built from "
        "services/<name>/Dockerfile"
    )
    unused = {repo_rel(p) for p in SERVICE_DOCKERFILES} - {repo_rel(p) for p in ours.values()}
    assert not unused, f"{compose.label}: no service builds {sorted(unused)}"


@COMPOSE_PARAMS
def test_compose_long_running_services_have_healthchecks(compose: ComposeSetup) -> None:
    problems = []
    services = compose.services()
    for name, svc in services.items():
        check = svc.get("healthcheck") or {}
        disabled = check.get("disable") or check.get("test") in (["NONE"], "NONE")
        if not is_oneshot(svc) and (not check.get("test") or disabled):
            problems.append(
                f"service {name!r} is long-running (restart {svc.get('restart', 'unset')!r}) "
                'but has no healthcheck; one-shots must say restart: "no"'
            )
        for dep, spec in (svc.get("depends_on") or {}).items():
            condition = (spec or {}).get("condition") if isinstance(spec, dict) else None
            target = services.get(dep)
            if target is None:
                problems.append(f"service {name!r} depends on unknown service {dep!r}")
            elif condition == "service_healthy" and not target.get("healthcheck"):
                problems.append(f"service {name!r} waits for {dep!r} healthy: no healthcheck")
            elif condition == "service_completed_successfully" and not is_oneshot(target):
                problems.append(
                    f"service {name!r} waits for {dep!r} to complete, but {dep!r} restarts"
                )
    assert not problems, f"{compose.label}:\n  " + "\n  ".join(problems)


def test_gpu_override_reserves_an_nvidia_gpu() -> None:
    services = compose_services([COMPOSE_FILE, REPO / "deploy" / "compose" / "gpu.yml"])
    worker = services["gpu-worker"]
    devices = worker.get("deploy", {}).get("resources", {}).get("reservations", {}).get("devices")
    assert devices, "deploy/compose/gpu.yml: gpu-worker reserves no device"
    assert any(
        d.get("driver") == "nvidia" and "gpu" in d.get("capabilities", []) for d in devices
    ), f"deploy/compose/gpu.yml: gpu-worker reserves no nvidia gpu: {devices!r}"
    assert worker["environment"].get("WORKER_DEVICE") == "cuda", (
        "deploy/compose/gpu.yml: gpu-worker must set WORKER_DEVICE=cuda"
    )


@COMPOSE_PARAMS
def test_compose_commands_match_the_image_cmd(compose: ComposeSetup) -> None:
    """A long-running service that spells out its command runs exactly its image's CMD."""
    services = compose.services()
    for name, dockerfile in our_services(services).items():
        svc = services[name]
        if is_oneshot(svc) or "command" not in svc:
            continue
        assert "entrypoint" not in svc, f"{compose.label}: service {name!r} overrides entrypoint"
        assert argv_of(svc["command"]) == dockerfile_cmd(dockerfile), (
            f"{compose.label}: service {name!r} runs {argv_of(svc['command'])}, but "
            f"{repo_rel(dockerfile)} says CMD {dockerfile_cmd(dockerfile)}"
        )


def test_k8s_kustomization_resources_exist() -> None:
    kustomization = load_yaml(K8S_DIR / "kustomization.yaml")
    assert "namespace" not in kustomization, "deploy/k8s is a namespace-less base"
    for resource in kustomization.get("resources", []):
        assert (K8S_DIR / resource).exists(), f"kustomization.yaml lists missing {resource!r}"
    kinds = {doc.get("kind") for _, doc in k8s_documents()}
    for kind in ("ConfigMap", "Secret", "Deployment", "Job", "Service"):
        assert kind in kinds, f"deploy/k8s has no {kind}"


def test_k8s_containers_run_our_images() -> None:
    ours = our_image_names()
    for label, _, container in k8s_workloads():
        assert image_name(container["image"]) in ours, (
            f"{label}: image {container['image']!r} is not built from services/*/Dockerfile "
            f"({sorted(ours)}); update the 'ours' rule in this test's docstring if intended"
        )


def test_k8s_commands_match_the_image_cmd() -> None:
    """A long-running container runs exactly the CMD of the Dockerfile its image comes from."""
    services = compose_services([COMPOSE_FILE])
    by_image = {
        image_name(str(services[name]["image"])): dockerfile
        for name, dockerfile in our_services(services).items()
        if services[name].get("image")
    }
    for label, doc, container in k8s_workloads():
        dockerfile = by_image.get(image_name(container["image"]))
        if doc["kind"] in ("Job", "CronJob") or dockerfile is None:
            continue
        argv = [*container.get("command", []), *container.get("args", [])]
        cmd = dockerfile_cmd(dockerfile)
        if argv:
            assert argv == cmd, f"{label} runs {argv}, but {repo_rel(dockerfile)} says CMD {cmd}"


def test_k8s_long_running_containers_have_probes() -> None:
    for label, doc, container in k8s_workloads():
        if doc["kind"] in ("Job", "CronJob"):
            continue
        assert container.get("livenessProbe") or container.get("readinessProbe"), (
            f"{label} has no liveness or readiness probe"
        )


def test_k8s_secret_example_holds_only_placeholders() -> None:
    for name, values in k8s_sources("Secret").items():
        for key, value in values.items():
            assert "CHANGE-ME" in value, (
                f"deploy/k8s Secret {name!r}: {key!r} must be an obvious CHANGE-ME placeholder"
            )
    kustomization = load_yaml(K8S_DIR / "kustomization.yaml")
    for resource in kustomization.get("resources", []):
        for doc in yaml.safe_load_all((K8S_DIR / resource).read_text()):
            assert not doc or doc.get("kind") != "Secret", (
                f"kustomization.yaml deploys the example Secret from {resource!r}"
            )
