"""Dockerfile and .dockerignore parsing for the contract tests (no Docker engine needed)."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.contracts.deploy_files import REPO, repo_rel


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    keyword: str
    args: str
    line: int


def instructions_of(dockerfile: Path) -> list[Instruction]:
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
    assert not pending, f"{repo_rel(dockerfile)}: ends inside a continued instruction"
    return result


def copy_sources(inst: Instruction) -> list[str] | None:
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


def dockerignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
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


def ignored_by_dockerignore(rel_path: str) -> bool:
    """Whether .dockerignore keeps ``rel_path`` (or a folder holding it) out of the context.

    Simplified: the last matching pattern wins for each folder on the way down, and an excluded
    folder stays excluded (enough for the whole-folder and file sources the images copy).
    """
    parts = Path(rel_path).parts
    excluded = False
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        for exclude, regex in dockerignore_patterns():
            if regex.match(prefix):
                excluded = exclude
        if excluded:
            return True
    return excluded


def pip_install_lines(instructions: list[Instruction]) -> list[Instruction]:
    return [i for i in instructions if i.keyword == "RUN" and re.search(r"\bpip\b", i.args)]


def local_dependencies(instructions: list[Instruction]) -> list[str]:
    """Dependencies declared by the pyproject.toml of every local package the image copies."""
    deps = []
    for inst in instructions:
        if inst.keyword != "COPY":
            continue
        for source in copy_sources(inst) or []:
            pyproject = REPO / source / "pyproject.toml"
            if pyproject.is_file():
                project = tomllib.loads(pyproject.read_text()).get("project", {})
                deps.extend(project.get("dependencies", []))
    return deps


def dockerfile_cmd(dockerfile: Path) -> list[str]:
    """The final CMD of a Dockerfile as an argv (exec form required)."""
    cmds = [i for i in instructions_of(dockerfile) if i.keyword == "CMD"]
    assert cmds, f"{repo_rel(dockerfile)}: no CMD"
    assert cmds[-1].args.startswith("["), (
        f"{repo_rel(dockerfile)}: CMD must use the exec (JSON) form"
    )
    return [str(part) for part in json.loads(cmds[-1].args)]


def argv_of(command: Any) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]
