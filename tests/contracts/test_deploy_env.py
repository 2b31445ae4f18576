"""The Docker / Kubernetes deploy files against the settings contract, checked statically.

Files: docker-compose.yml alone and merged with each override in deploy/compose/*.yml, the
Kustomize base in deploy/k8s/, services/*/Dockerfile and .dockerignore. No Docker engine and
no cluster are needed.

Which services are "ours" (the rule every env-var check below relies on):

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

import json
import re
import shlex
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from winnow_common.config import ALL_SETTINGS_CLASSES, settings_env_vars

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


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO))


# --------------------------------------------------------------------------------------------
# Compose


def _env_mapping(environment: Any, where: str) -> dict[str, str | None]:
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


def _merge(base: Any, override: Any) -> Any:
    """Compose-style merge for what this test reads: mappings recursively, the rest replaced."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return override


def _load_yaml(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text())
    assert isinstance(doc, dict), f"{_rel(path)}: expected a YAML mapping at the top level"
    return doc


def _compose_services(files: list[Path]) -> dict[str, dict[str, Any]]:
    """The services of ``files`` merged in order, with ``environment`` normalised to a dict."""
    services: dict[str, dict[str, Any]] = {}
    for path in files:
        doc = _load_yaml(path)
        for name, svc in (doc.get("services") or {}).items():
            svc = dict(svc or {})
            where = f"{_rel(path)}: service {name!r}"
            if "environment" in svc:
                svc["environment"] = _env_mapping(svc["environment"], where)
            services[name] = _merge(services.get(name, {}), svc)
    return services


@dataclass(frozen=True)
class ComposeSetup:
    """docker-compose.yml, possibly with one override file on top."""

    label: str
    files: tuple[Path, ...]

    def services(self) -> dict[str, dict[str, Any]]:
        return _compose_services(list(self.files))


COMPOSE_SETUPS = [ComposeSetup("docker-compose.yml", (COMPOSE_FILE,))] + [
    ComposeSetup(f"docker-compose.yml + {_rel(p)}", (COMPOSE_FILE, p)) for p in COMPOSE_OVERRIDES
]


def _image_name(ref: str) -> str:
    """``registry:5000/ns/name:tag@digest`` -> ``registry:5000/ns/name`` (tag/digest dropped)."""
    head, _, last = ref.rpartition("/")
    last = re.split(r"[:@]", last, maxsplit=1)[0]
    return f"{head}/{last}" if head else last


def _build_dockerfile(svc: Mapping[str, Any]) -> Path | None:
    """The Dockerfile a service builds from, resolved against the repository root."""
    build = svc.get("build")
    if build is None:
        return None
    if isinstance(build, str):
        return (REPO / build / "Dockerfile").resolve()
    context = REPO / str(build.get("context", "."))
    return (context / str(build.get("dockerfile", "Dockerfile"))).resolve()


def _is_service_dockerfile(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        rel = path.relative_to(REPO / "services")
    except ValueError:
        return False
    return len(rel.parts) == 2 and rel.name == "Dockerfile"


def _our_services(services: Mapping[str, Mapping[str, Any]]) -> dict[str, Path]:
    """Our services (see the module docstring) and the Dockerfile each one's image comes from."""
    built: dict[str, Path] = {}
    image_dockerfile: dict[str, Path] = {}
    for name, svc in services.items():
        dockerfile = _build_dockerfile(svc)
        if _is_service_dockerfile(dockerfile):
            assert dockerfile is not None
            built[name] = dockerfile
            if svc.get("image"):
                image_dockerfile[_image_name(str(svc["image"]))] = dockerfile
    ours = dict(built)
    for name, svc in services.items():
        if name not in ours and svc.get("image"):
            dockerfile = image_dockerfile.get(_image_name(str(svc["image"])))
            if dockerfile is not None:
                ours[name] = dockerfile
    return ours


def _is_oneshot(svc: Mapping[str, Any]) -> bool:
    """``restart: "no"`` or ``on-failure[:N]``, written out (an unquoted ``no`` loads as False)."""
    if "restart" not in svc:
        return False
    restart = "no" if svc["restart"] is False else str(svc["restart"])
    return restart.split(":")[0] in ONESHOT_RESTART


def _required_for(oneshot: bool) -> tuple[str, ...]:
    return ONESHOT_REQUIRED_ENV if oneshot else REQUIRED_ENV


_INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}"
)


def _interpolate(value: str) -> str:
    """Compose interpolation with the defaults only (the host's environment is ignored)."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        op = match.group("op") or ""
        return match.group("arg") if op.endswith("-") else ""

    return _INTERPOLATION.sub(replace, value)


@pytest.fixture(params=COMPOSE_SETUPS, ids=[s.label for s in COMPOSE_SETUPS])
def compose(request: pytest.FixtureRequest) -> ComposeSetup:
    return request.param


def test_compose_files_exist() -> None:
    assert COMPOSE_FILE.is_file(), "docker-compose.yml is missing at the repository root"
    assert (REPO / "deploy" / "compose" / "gpu.yml") in COMPOSE_OVERRIDES


def test_compose_builds_every_service_image(compose: ComposeSetup) -> None:
    services = compose.services()
    ours = _our_services(services)
    missing = EXPECTED_COMPOSE_SERVICES - set(ours)
    assert not missing, (
        f"{compose.label}: services {sorted(missing)} are missing or not built from "
        "services/<name>/Dockerfile"
    )
    unused = {_rel(p) for p in SERVICE_DOCKERFILES} - {_rel(p) for p in ours.values()}
    assert not unused, f"{compose.label}: no service builds {sorted(unused)}"


def test_compose_env_vars_are_settings_fields(compose: ComposeSetup) -> None:
    problems = []
    services = compose.services()
    for name in _our_services(services):
        svc = services[name]
        if "env_file" in svc:
            problems.append(f"service {name!r} uses env_file, which this contract cannot check")
        for key in svc.get("environment", {}):
            if key not in SETTINGS_ENV:
                problems.append(
                    f"service {name!r} sets {key!r}, which no winnow_common.config class reads"
                )
    assert not problems, f"{compose.label}:\n  " + "\n  ".join(problems)


def test_compose_required_env_is_set(compose: ComposeSetup) -> None:
    problems = []
    services = compose.services()
    for name in _our_services(services):
        svc = services[name]
        env = svc.get("environment", {})
        for key in _required_for(_is_oneshot(svc)):
            if not env.get(key):
                problems.append(f"service {name!r} does not set required {key!r}")
    assert not problems, f"{compose.label}:\n  " + "\n  ".join(problems)


def test_compose_env_is_accepted_by_the_settings(
    compose: ComposeSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With Compose's defaults filled in, every settings class validates each service's env."""
    problems = []
    services = compose.services()
    for name in _our_services(services):
        env = {k: _interpolate(v) for k, v in services[name].get("environment", {}).items() if v}
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


def test_compose_long_running_services_have_healthchecks(compose: ComposeSetup) -> None:
    problems = []
    services = compose.services()
    for name, svc in services.items():
        check = svc.get("healthcheck") or {}
        disabled = check.get("disable") or check.get("test") in (["NONE"], "NONE")
        if not _is_oneshot(svc) and (not check.get("test") or disabled):
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
            elif condition == "service_completed_successfully" and not _is_oneshot(target):
                problems.append(
                    f"service {name!r} waits for {dep!r} to complete, but {dep!r} restarts"
                )
    assert not problems, f"{compose.label}:\n  " + "\n  ".join(problems)


def test_gpu_override_reserves_an_nvidia_gpu() -> None:
    services = _compose_services([COMPOSE_FILE, REPO / "deploy" / "compose" / "gpu.yml"])
    worker = services["gpu-worker"]
    devices = worker.get("deploy", {}).get("resources", {}).get("reservations", {}).get("devices")
    assert devices, "deploy/compose/gpu.yml: gpu-worker reserves no device"
    assert any(
        d.get("driver") == "nvidia" and "gpu" in d.get("capabilities", []) for d in devices
    ), f"deploy/compose/gpu.yml: gpu-worker reserves no nvidia gpu: {devices!r}"
    assert worker["environment"].get("WORKER_DEVICE") == "cuda", (
        "deploy/compose/gpu.yml: gpu-worker must set WORKER_DEVICE=cuda"
    )


# --------------------------------------------------------------------------------------------
# Dockerfiles


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    keyword: str
    args: str
    line: int


def _instructions(dockerfile: Path) -> list[Instruction]:
    result: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(dockerfile.read_text().splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped by Docker
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        keyword, _, args = " ".join(pending).strip().partition(" ")
        result.append(Instruction(keyword.upper(), args.strip(), start))
        pending = []
    assert not pending, f"{_rel(dockerfile)}: ends inside a continued instruction"
    return result


def _copy_sources(inst: Instruction) -> list[str] | None:
    """Sources of a COPY/ADD from the build context; None for ``--from`` copies."""
    args = inst.args
    flags = []
    while args.startswith("--"):
        flag, _, args = args.partition(" ")
        flags.append(flag)
        args = args.lstrip()
    if any(f.startswith("--from") for f in flags):
        return None
    parts = json.loads(args) if args.startswith("[") else shlex.split(args)
    return [str(p) for p in parts[:-1]]


def _dockerignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    """(exclude?, regex) per .dockerignore line, in order (Go filepath.Match plus ``**``)."""
    path = REPO / ".dockerignore"
    if not path.is_file():
        return []
    patterns = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exclude = not line.startswith("!")
        line = line.lstrip("!").strip().lstrip("/")
        line = line.removeprefix("./")
        regex = ""
        i = 0
        while i < len(line):
            if line.startswith("**/", i):
                regex += "(?:.*/)?"
                i += 3
            elif line.startswith("**", i):
                regex += ".*"
                i += 2
            elif line[i] == "*":
                regex += "[^/]*"
                i += 1
            elif line[i] == "?":
                regex += "[^/]"
                i += 1
            elif line[i] == "[":
                end = line.index("]", i)
                regex += "[" + line[i + 1 : end].replace("^", "\\^", 1) + "]"
                i = end + 1
            else:
                regex += re.escape(line[i])
                i += 1
        patterns.append((exclude, re.compile(regex + r"\Z")))
    return patterns


def _ignored_by_dockerignore(rel_path: str) -> bool:
    """Whether .dockerignore keeps ``rel_path`` (or a folder holding it) out of the context.

    Simplified: the last matching pattern wins for each folder on the way down, and an excluded
    folder stays excluded (enough for the whole-folder and file sources the images copy).
    """
    parts = Path(rel_path).parts
    excluded = False
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        for exclude, regex in _dockerignore_patterns():
            if regex.match(prefix):
                excluded = exclude
        if excluded:
            return True
    return excluded


def _pip_install_lines(instructions: list[Instruction]) -> list[Instruction]:
    return [i for i in instructions if i.keyword == "RUN" and re.search(r"\bpip\b", i.args)]


@pytest.fixture(params=SERVICE_DOCKERFILES, ids=[p.parent.name for p in SERVICE_DOCKERFILES])
def dockerfile(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_each_service_has_a_dockerfile() -> None:
    names = {p.parent.name for p in SERVICE_DOCKERFILES}
    assert {"api", "gpu-worker", "reporter"} <= names, f"service Dockerfiles found: {names}"


def test_compose_dockerfiles_exist(compose: ComposeSetup) -> None:
    for name, svc in compose.services().items():
        path = _build_dockerfile(svc)
        if path is not None:
            assert path.is_file(), f"{compose.label}: service {name!r} builds missing {path}"


def test_dockerfile_copy_sources_exist_in_the_context(dockerfile: Path) -> None:
    """Images build from the repository root: every COPY source exists and is not ignored."""
    problems = []
    for inst in _instructions(dockerfile):
        if inst.keyword not in ("COPY", "ADD"):
            continue
        sources = _copy_sources(inst)
        for source in sources or []:
            rel = source.removeprefix("./")
            if not any(REPO.glob(rel)) and not (REPO / rel).exists():
                problems.append(f"line {inst.line}: {inst.keyword} source {source!r} is missing")
            elif _ignored_by_dockerignore(rel):
                problems.append(f"line {inst.line}: {source!r} is excluded by .dockerignore")
    assert not problems, f"{_rel(dockerfile)}:\n  " + "\n  ".join(problems)


def test_dockerfile_base_and_user(dockerfile: Path) -> None:
    instructions = _instructions(dockerfile)
    froms = [i.args.split()[0] for i in instructions if i.keyword == "FROM"]
    assert froms, f"{_rel(dockerfile)}: no FROM instruction"
    assert froms[-1] == "python:3.11-slim", (
        f"{_rel(dockerfile)}: final stage must be FROM python:3.11-slim, got {froms}"
    )
    users = [i.args for i in instructions if i.keyword == "USER"]
    assert users, f"{_rel(dockerfile)}: no USER instruction, the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0"), (
        f"{_rel(dockerfile)}: runs as {users[-1]!r}; must be a non-root user"
    )


def _local_dependencies(instructions: list[Instruction]) -> list[str]:
    """Dependencies declared by the pyproject.toml of every local package the image copies."""
    deps = []
    for inst in instructions:
        if inst.keyword != "COPY":
            continue
        for source in _copy_sources(inst) or []:
            pyproject = REPO / source / "pyproject.toml"
            if pyproject.is_file():
                project = tomllib.loads(pyproject.read_text()).get("project", {})
                deps.extend(project.get("dependencies", []))
    return deps


@pytest.mark.parametrize("service", NO_TORCH_SERVICES)
def test_api_and_reporter_images_do_not_install_torch(service: str) -> None:
    path = REPO / "services" / service / "Dockerfile"
    instructions = _instructions(path)
    for inst in instructions:
        assert not re.search(r"\btorch", inst.args), (
            f"{_rel(path)} line {inst.line} mentions torch: {inst.keyword} {inst.args}"
        )
    for dep in _local_dependencies(instructions):
        name = re.split(r"[\s\[<>=!~;]", dep, maxsplit=1)[0].lower()
        assert name not in TORCH_PACKAGES, (
            f"{_rel(path)} installs a package that depends on {dep!r}"
        )


def test_gpu_worker_installs_torch_before_the_packages() -> None:
    path = REPO / "services" / "gpu-worker" / "Dockerfile"
    instructions = _instructions(path)
    pip_runs = _pip_install_lines(instructions)
    torch_runs = [i for i in pip_runs if re.search(r"\btorch==", i.args)]
    assert torch_runs, f"{_rel(path)}: no `pip install torch==...` with a pinned version"
    first_copy = next(i.line for i in instructions if i.keyword == "COPY")
    assert torch_runs[0].line < first_copy, (
        f"{_rel(path)}: install torch (line {torch_runs[0].line}) before copying the packages "
        f"(line {first_copy}) so source changes do not invalidate the torch layer"
    )


def _dockerfile_cmd(dockerfile: Path) -> list[str]:
    """The final CMD of a Dockerfile as an argv (exec form required)."""
    cmds = [i for i in _instructions(dockerfile) if i.keyword == "CMD"]
    assert cmds, f"{_rel(dockerfile)}: no CMD"
    assert cmds[-1].args.startswith("["), f"{_rel(dockerfile)}: CMD must use the exec (JSON) form"
    return [str(part) for part in json.loads(cmds[-1].args)]


def _argv(command: Any) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def test_compose_commands_match_the_image_cmd(compose: ComposeSetup) -> None:
    """A long-running service that spells out its command runs exactly its image's CMD."""
    services = compose.services()
    for name, dockerfile in _our_services(services).items():
        svc = services[name]
        if _is_oneshot(svc) or "command" not in svc:
            continue
        assert "entrypoint" not in svc, f"{compose.label}: service {name!r} overrides entrypoint"
        assert _argv(svc["command"]) == _dockerfile_cmd(dockerfile), (
            f"{compose.label}: service {name!r} runs {_argv(svc['command'])}, but "
            f"{_rel(dockerfile)} says CMD {_dockerfile_cmd(dockerfile)}"
        )


# --------------------------------------------------------------------------------------------
# Kubernetes


def _k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    docs = []
    for path in sorted([*K8S_DIR.rglob("*.yaml"), *K8S_DIR.rglob("*.yml")]):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append((path, doc))
    return docs


def _pod_spec(doc: Mapping[str, Any]) -> dict[str, Any]:
    spec = doc.get("spec", {})
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def _k8s_workloads() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(label, workload document, container) for every workload container."""
    for path, doc in _k8s_documents():
        if doc.get("kind") not in K8S_WORKLOAD_KINDS:
            continue
        pod = _pod_spec(doc)
        for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
            label = f"{_rel(path)}: {doc['kind']} {doc['metadata']['name']!r} container "
            label += repr(container["name"])
            yield label, doc, container


def _k8s_sources(kind: str) -> dict[str, dict[str, str]]:
    """ConfigMaps or Secrets by name: their keys and (string) values."""
    found: dict[str, dict[str, str]] = {}
    for _, doc in _k8s_documents():
        if doc.get("kind") == kind:
            values = {**doc.get("data", {}), **doc.get("stringData", {})}
            found[doc["metadata"]["name"]] = {str(k): str(v) for k, v in values.items()}
    return found


def _k8s_container_env(label: str, container: Mapping[str, Any]) -> dict[str, str | None]:
    """Every variable a container gets (envFrom sources resolved); None = value not static."""
    sources = {"configMapRef": _k8s_sources("ConfigMap"), "secretRef": _k8s_sources("Secret")}
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


def _our_image_names() -> set[str]:
    services = _compose_services([COMPOSE_FILE])
    return {
        _image_name(str(services[name]["image"]))
        for name in _our_services(services)
        if services[name].get("image")
    }


def test_k8s_kustomization_resources_exist() -> None:
    kustomization = _load_yaml(K8S_DIR / "kustomization.yaml")
    assert "namespace" not in kustomization, "deploy/k8s is a namespace-less base"
    for resource in kustomization.get("resources", []):
        assert (K8S_DIR / resource).exists(), f"kustomization.yaml lists missing {resource!r}"
    kinds = {doc.get("kind") for _, doc in _k8s_documents()}
    for kind in ("ConfigMap", "Secret", "Deployment", "Job", "Service"):
        assert kind in kinds, f"deploy/k8s has no {kind}"


def test_k8s_containers_run_our_images() -> None:
    ours = _our_image_names()
    for label, _, container in _k8s_workloads():
        assert _image_name(container["image"]) in ours, (
            f"{label}: image {container['image']!r} is not built from services/*/Dockerfile "
            f"({sorted(ours)}); update the 'ours' rule in this test's docstring if intended"
        )


def test_k8s_commands_match_the_image_cmd() -> None:
    """A long-running container runs exactly the CMD of the Dockerfile its image comes from."""
    services = _compose_services([COMPOSE_FILE])
    by_image = {
        _image_name(str(services[name]["image"])): dockerfile
        for name, dockerfile in _our_services(services).items()
        if services[name].get("image")
    }
    for label, doc, container in _k8s_workloads():
        dockerfile = by_image.get(_image_name(container["image"]))
        if doc["kind"] in ("Job", "CronJob") or dockerfile is None:
            continue
        argv = [*container.get("command", []), *container.get("args", [])]
        cmd = _dockerfile_cmd(dockerfile)
        if argv:
            assert argv == cmd, f"{label} runs {argv}, but {_rel(dockerfile)} says CMD {cmd}"


def test_k8s_env_vars_are_settings_fields() -> None:
    problems = []
    workloads = list(_k8s_workloads())
    assert workloads, "deploy/k8s defines no workload"
    for label, _, container in workloads:
        for key in _k8s_container_env(label, container):
            if key not in SETTINGS_ENV:
                problems.append(f"{label} sets {key!r}, which no winnow_common.config class reads")
    assert not problems, "\n  ".join(["deploy/k8s:", *problems])


def test_k8s_required_env_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    problems = []
    for label, doc, container in _k8s_workloads():
        if container in _pod_spec(doc).get("initContainers", []):
            continue
        env = _k8s_container_env(label, container)
        oneshot = doc["kind"] in ("Job", "CronJob")
        for key in _required_for(oneshot):
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


def test_k8s_long_running_containers_have_probes() -> None:
    for label, doc, container in _k8s_workloads():
        if doc["kind"] in ("Job", "CronJob"):
            continue
        assert container.get("livenessProbe") or container.get("readinessProbe"), (
            f"{label} has no liveness or readiness probe"
        )


def test_k8s_secret_example_holds_only_placeholders() -> None:
    for name, values in _k8s_sources("Secret").items():
        for key, value in values.items():
            assert "CHANGE-ME" in value, (
                f"deploy/k8s Secret {name!r}: {key!r} must be an obvious CHANGE-ME placeholder"
            )
    kustomization = _load_yaml(K8S_DIR / "kustomization.yaml")
    for resource in kustomization.get("resources", []):
        for doc in yaml.safe_load_all((K8S_DIR / resource).read_text()):
            assert not doc or doc.get("kind") != "Secret", (
                f"kustomization.yaml deploys the example Secret from {resource!r}"
            )
