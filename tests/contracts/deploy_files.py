"""Parsing of the deploy files for the contract tests: Compose (merged with its overrides), the
Kustomize base, and which services are ours.

Files: docker-compose.yml alone and merged with each override in deploy/compose/*.yml, the
Kustomize base in deploy/k8s/, services/*/Dockerfile and .dockerignore. No Docker engine and
no cluster are needed.

Which services are "ours" (the rule every env-var check of test_deploy_*.py relies on):

* Compose: a service is ours when its ``build.dockerfile`` is ``services/<name>/Dockerfile``,
  or when its ``image`` (tag ignored) is the image of such a service. Only our services' env
  must consist of winnow_common.config settings; third-party images (postgres, redis, minio,
  mc) read their own variables (POSTGRES_*, MINIO_*, MC_HOST_*) and are exempt. In an
  override file a service is judged after merging it into the base file.
* Kubernetes: every workload container in deploy/k8s is ours, because the base deploys no
  third-party image (Postgres, Redis and S3 are external); each container's image must be one
  of the images Compose builds from services/*/Dockerfile, so adding a third-party container
  fails here and forces the rule to be revisited.

Roles: a Compose service with ``restart: "no"`` (or ``on-failure``) and a Kubernetes Job are
one-shots (migrate, create-user, minio-init) and need only DATABASE_URL when ours; every other
service is long-running, must have a healthcheck (Compose) or a probe (Kubernetes), and when
ours must set every variable in REQUIRED_ENV.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from winnow_common.config import settings_env_vars

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
COMPOSE_OVERRIDES = sorted((REPO / "deploy" / "compose").glob("*.yml"))
K8S_DIR = REPO / "deploy" / "k8s"
SERVICE_DOCKERFILES = sorted((REPO / "services").glob("*/Dockerfile"))

SETTINGS_ENV = frozenset(settings_env_vars())
REQUIRED_ENV = ("DATABASE_URL", "REDIS_URL", "S3_ENDPOINT_URL", "API_PUBLIC_URL", "API_SECRET_KEY")
ONESHOT_REQUIRED_ENV = ("DATABASE_URL",)
ONESHOT_RESTART = frozenset({"no", "on-failure"})
EXPECTED_COMPOSE_SERVICES = {"migrate", "api", "gpu-worker", "reporter"}
NO_TORCH_SERVICES = ("api", "reporter")
TORCH_PACKAGES = frozenset({"torch", "torchvision", "torchaudio"})
K8S_WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"})


def repo_rel(path: Path) -> str:
    return str(path.relative_to(REPO))


# --------------------------------------------------------------------------------------------
# Compose


def env_mapping(environment: Any, where: str) -> dict[str, str | None]:
    """Compose ``environment`` (mapping or ``KEY=VALUE`` list) as a dict; None = no value."""
    if environment is None:
        return {}
    if isinstance(environment, Mapping):
        return {str(k): None if v is None else str(v) for k, v in environment.items()}
    if isinstance(environment, list):
        env: dict[str, str | None] = {}
        for item in environment:
            key, sep, value = str(item).partition("=")
            env[key] = value if sep else None
        return env
    raise AssertionError(f"{where}: environment must be a mapping or a list, got {environment!r}")


def merge(base: Any, override: Any) -> Any:
    """Compose-style merge for what this test reads: mappings recursively, the rest replaced."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    return override


def load_yaml(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text())
    assert isinstance(doc, dict), f"{repo_rel(path)}: expected a YAML mapping at the top level"
    return doc


def compose_services(files: list[Path]) -> dict[str, dict[str, Any]]:
    """The services of ``files`` merged in order, with ``environment`` normalised to a dict."""
    services: dict[str, dict[str, Any]] = {}
    for path in files:
        doc = load_yaml(path)
        for name, svc in (doc.get("services") or {}).items():
            svc = dict(svc or {})
            where = f"{repo_rel(path)}: service {name!r}"
            if "environment" in svc:
                svc["environment"] = env_mapping(svc["environment"], where)
            services[name] = merge(services.get(name, {}), svc)
    return services


@dataclass(frozen=True)
class ComposeSetup:
    """docker-compose.yml, possibly with one override file on top."""

    label: str
    files: tuple[Path, ...]

    def services(self) -> dict[str, dict[str, Any]]:
        return compose_services(list(self.files))


COMPOSE_SETUPS = [ComposeSetup("docker-compose.yml", (COMPOSE_FILE,))] + [
    ComposeSetup(f"docker-compose.yml + {repo_rel(p)}", (COMPOSE_FILE, p))
    for p in COMPOSE_OVERRIDES
]


def image_name(ref: str) -> str:
    """``registry:5000/ns/name:tag@digest`` -> ``registry:5000/ns/name`` (tag/digest dropped)."""
    head, _, last = ref.rpartition("/")
    last = re.split(r"[:@]", last, maxsplit=1)[0]
    return f"{head}/{last}" if head else last


def build_dockerfile(svc: Mapping[str, Any]) -> Path | None:
    """The Dockerfile a service builds from, resolved against the repository root."""
    build = svc.get("build")
    if build is None:
        return None
    if isinstance(build, str):
        return (REPO / build / "Dockerfile").resolve()
    context = REPO / str(build.get("context", "."))
    return (context / str(build.get("dockerfile", "Dockerfile"))).resolve()


def is_service_dockerfile(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        rel = path.relative_to(REPO / "services")
    except ValueError:
        return False
    return len(rel.parts) == 2 and rel.name == "Dockerfile"


def our_services(services: Mapping[str, Mapping[str, Any]]) -> dict[str, Path]:
    """Our services (see the module docstring) and the Dockerfile each one's image comes from."""
    built: dict[str, Path] = {}
    image_dockerfile: dict[str, Path] = {}
    for name, svc in services.items():
        dockerfile = build_dockerfile(svc)
        if is_service_dockerfile(dockerfile):
            assert dockerfile is not None
            built[name] = dockerfile
            if svc.get("image"):
                image_dockerfile[image_name(str(svc["image"]))] = dockerfile
    ours = dict(built)
    for name, svc in services.items():
        if name not in ours and svc.get("image"):
            dockerfile = image_dockerfile.get(image_name(str(svc["image"])))
            if dockerfile is not None:
                ours[name] = dockerfile
    return ours


def is_oneshot(svc: Mapping[str, Any]) -> bool:
    """``restart: "no"`` or ``on-failure[:N]``, written out (an unquoted ``no`` loads as False)."""
    if "restart" not in svc:
        return False
    restart = "no" if svc["restart"] is False else str(svc["restart"])
    return restart.split(":")[0] in ONESHOT_RESTART


def required_for(oneshot: bool) -> tuple[str, ...]:
    return ONESHOT_REQUIRED_ENV if oneshot else REQUIRED_ENV


_INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}"
)


def interpolate(value: str) -> str:
    """Compose interpolation with the defaults only (the host's environment is ignored)."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        op = match.group("op") or ""
        return match.group("arg") if op.endswith("-") else ""

    return _INTERPOLATION.sub(replace, value)


# The Compose setups as a parameter of the tests that check each one.
COMPOSE_PARAMS = pytest.mark.parametrize(
    "compose", COMPOSE_SETUPS, ids=[s.label for s in COMPOSE_SETUPS]
)
# The service Dockerfiles as a parameter of the tests that check each one.
DOCKERFILE_PARAMS = pytest.mark.parametrize(
    "dockerfile", SERVICE_DOCKERFILES, ids=[p.parent.name for p in SERVICE_DOCKERFILES]
)


# --------------------------------------------------------------------------------------------
# Kubernetes


def k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    docs = []
    for path in sorted([*K8S_DIR.rglob("*.yaml"), *K8S_DIR.rglob("*.yml")]):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append((path, doc))
    return docs


def pod_spec(doc: Mapping[str, Any]) -> dict[str, Any]:
    spec = doc.get("spec", {})
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def k8s_workloads() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(label, workload document, container) for every workload container."""
    for path, doc in k8s_documents():
        if doc.get("kind") not in K8S_WORKLOAD_KINDS:
            continue
        pod = pod_spec(doc)
        for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
            label = f"{repo_rel(path)}: {doc['kind']} {doc['metadata']['name']!r} container "
            label += repr(container["name"])
            yield label, doc, container


def k8s_sources(kind: str) -> dict[str, dict[str, str]]:
    """ConfigMaps or Secrets by name: their keys and (string) values."""
    found: dict[str, dict[str, str]] = {}
    for _, doc in k8s_documents():
        if doc.get("kind") == kind:
            values = {**doc.get("data", {}), **doc.get("stringData", {})}
            found[doc["metadata"]["name"]] = {str(k): str(v) for k, v in values.items()}
    return found


def k8s_container_env(label: str, container: Mapping[str, Any]) -> dict[str, str | None]:
    """Every variable a container gets (envFrom sources resolved); None = value not static."""
    sources = {"configMapRef": k8s_sources("ConfigMap"), "secretRef": k8s_sources("Secret")}
    env: dict[str, str | None] = {}
    for item in container.get("envFrom", []):
        for ref_kind, by_name in sources.items():
            if ref_kind in item:
                ref = item[ref_kind]["name"]
                assert ref in by_name, f"{label}: envFrom {ref_kind} {ref!r} not in deploy/k8s"
                prefix = item.get("prefix", "")
                env.update({prefix + k: v for k, v in by_name[ref].items()})
    for item in container.get("env", []):
        env[item["name"]] = item.get("value") if "value" in item else None
    return env


def our_image_names() -> set[str]:
    services = compose_services([COMPOSE_FILE])
    return {
        image_name(str(services[name]["image"]))
        for name in our_services(services)
        if services[name].get("image")
    }
