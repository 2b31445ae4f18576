"""The service Dockerfiles, checked statically: each service has one, images build from the
repository root with sources that exist and are not ignored, a python:3.11-slim base and a
non-root user, torch only in the GPU worker's image (installed before the packages).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.contracts.deploy_files import (
    COMPOSE_PARAMS,
    DOCKERFILE_PARAMS,
    NO_TORCH_SERVICES,
    REPO,
    SERVICE_DOCKERFILES,
    TORCH_PACKAGES,
    ComposeSetup,
    build_dockerfile,
    repo_rel,
)
from tests.contracts.dockerfile_parse import (
    copy_sources,
    ignored_by_dockerignore,
    instructions_of,
    local_dependencies,
    pip_install_lines,
)


def test_each_service_has_a_dockerfile() -> None:
    names = {p.parent.name for p in SERVICE_DOCKERFILES}
    assert {"api", "gpu-worker", "reporter"} <= names, f"service Dockerfiles found: {names}"


@COMPOSE_PARAMS
def test_compose_dockerfiles_exist(compose: ComposeSetup) -> None:
    for name, svc in compose.services().items():
        path = build_dockerfile(svc)
        if path is not None:
            assert path.is_file(), f"{compose.label}: service {name!r} builds missing {path}"


@DOCKERFILE_PARAMS
def test_dockerfile_copy_sources_exist_in_the_context(dockerfile: Path) -> None:
    """Images build from the repository root: every COPY source exists and is not ignored."""
    problems = []
    for inst in instructions_of(dockerfile):
        if inst.keyword not in ("COPY", "ADD"):
            continue
        sources = copy_sources(inst)
        for source in sources or []:
            rel = source.removeprefix("./")
            if not any(REPO.glob(rel)) and not (REPO / rel).exists():
                problems.append(f"line {inst.line}: {inst.keyword} source {source!r} is missing")
            elif ignored_by_dockerignore(rel):
                problems.append(f"line {inst.line}: {source!r} is excluded by .dockerignore")
    assert not problems, f"{repo_rel(dockerfile)}:\n  " + "\n  ".join(problems)


@DOCKERFILE_PARAMS
def test_dockerfile_base_and_user(dockerfile: Path) -> None:
    instructions = instructions_of(dockerfile)
    froms = [i.args.split()[0] for i in instructions if i.keyword == "FROM"]
    assert froms, f"{repo_rel(dockerfile)}: no FROM instruction"
    assert froms[-1] == "python:3.11-slim", (
        f"{repo_rel(dockerfile)}: final stage must be FROM python:3.11-slim, got {froms}"
    )
    users = [i.args for i in instructions if i.keyword == "USER"]
    assert users, f"{repo_rel(dockerfile)}: no USER instruction, the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0"), (
        f"{repo_rel(dockerfile)}: runs as {users[-1]!r}; must be a non-root user"
    )


@pytest.mark.parametrize("service", NO_TORCH_SERVICES)
def test_api_and_reporter_images_do_not_install_torch(service: str) -> None:
    path = REPO / "services" / service / "Dockerfile"
    instructions = instructions_of(path)
    for inst in instructions:
        assert not re.search(r"\btorch", inst.args), (
            f"{repo_rel(path)} line {inst.line} mentions torch: {inst.keyword} {inst.args}"
        )
    for dep in local_dependencies(instructions):
        name = re.split(r"[\s\[<>=!~;]", dep, maxsplit=1)[0].lower()
        assert name not in TORCH_PACKAGES, (
            f"{repo_rel(path)} installs a package that depends on {dep!r}"
        )


def test_gpu_worker_installs_torch_before_the_packages() -> None:
    path = REPO / "services" / "gpu-worker" / "Dockerfile"
    instructions = instructions_of(path)
    pip_runs = pip_install_lines(instructions)
    torch_runs = [i for i in pip_runs if re.search(r"\btorch==", i.args)]
    assert torch_runs, f"{repo_rel(path)}: no `pip install torch==...` with a pinned version"
    first_copy = next(i.line for i in instructions if i.keyword == "COPY")
    assert torch_runs[0].line < first_copy, (
        f"{repo_rel(path)}: install torch (line {torch_runs[0].line}) before copying the packages "
        f"(line {first_copy}) so source changes do not invalidate the torch layer"
    )
