"""What each image installs against what its packages need, checked statically (no Docker).

An image installs a first-party package when a ``RUN pip install`` names a folder that a
``COPY`` filled from a package folder of this repository (one with a ``pyproject.toml``). The
packages' own ``pyproject.toml`` say what each needs: ``[project] dependencies`` (first-party
ones are the ``winnow-*`` names of other package folders) and ``[project.scripts]``.

The gpu-worker image also runs the standalone ``winnow-worker`` command (``services/cli``), so
it must install the package that declares that console script and every first-party package
that one depends on, transitively; the script's ``module:function`` must exist in that
package, and every first-party module its sources import must be installed in the image.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import shlex
import sys
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.contracts.deploy_files import SERVICE_DOCKERFILES
from tests.contracts.dockerfile_parse import (
    Instruction,
    copy_sources,
    instructions_of,
    pip_install_lines,
)

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DIRS = sorted(
    p.parent
    for pattern in ("packages/*", "services/*", "deploy/*")
    for p in REPO.glob(f"{pattern}/pyproject.toml")
)
CLI_SCRIPT = "winnow-worker"
CLI_IMAGE = REPO / "services" / "gpu-worker" / "Dockerfile"


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO))


@dataclass(frozen=True)
class LocalPackage:
    """One package folder of this repository, as its ``pyproject.toml`` declares it."""

    name: str
    folder: Path
    requirements: tuple[str, ...]
    scripts: dict[str, str]

    @property
    def import_packages(self) -> list[Path]:
        """The import packages under ``src/`` (folders with an ``__init__.py``)."""
        return sorted(p.parent for p in (self.folder / "src").glob("*/__init__.py"))

    def sources(self) -> Iterator[Path]:
        """Every Python file of its import packages."""
        for package in self.import_packages:
            yield from sorted(package.rglob("*.py"))

    def requirement_names(self) -> set[str]:
        """The canonical names of everything ``dependencies`` lists."""
        return {canonicalize_name(Requirement(r).name) for r in self.requirements}


def _load_package(folder: Path) -> LocalPackage:
    project = tomllib.loads((folder / "pyproject.toml").read_text()).get("project", {})
    assert project.get("name"), f"{_rel(folder)}/pyproject.toml: no [project] name"
    return LocalPackage(
        name=canonicalize_name(project["name"]),
        folder=folder,
        requirements=tuple(project.get("dependencies", [])),
        scripts=dict(project.get("scripts", {})),
    )


LOCAL = {pkg.name: pkg for pkg in map(_load_package, PACKAGE_DIRS)}
BY_FOLDER = {pkg.folder: pkg for pkg in LOCAL.values()}
BY_IMPORT = {p.name: pkg for pkg in LOCAL.values() for p in pkg.import_packages}


def _first_party_closure(names: Iterable[str]) -> set[str]:
    """The given packages and every first-party package they depend on, transitively."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(dep for dep in LOCAL[name].requirement_names() if dep in LOCAL)
    return seen


def _copied_folders(instructions: list[Instruction]) -> dict[str, Path]:
    """Image path -> repository folder, for each single-source ``COPY`` of a folder."""
    copied: dict[str, Path] = {}
    for inst in instructions:
        if inst.keyword != "COPY":
            continue
        sources = copy_sources(inst)
        if sources is None or len(sources) != 1:
            continue
        dest = shlex.split(inst.args)[-1].rstrip("/")
        source = (REPO / sources[0].removeprefix("./")).resolve()
        if source.is_dir():
            copied[dest] = source
    return copied


def _pip_targets(command: str) -> Iterator[tuple[str, bool]]:
    """(path, editable) for each local path a shell command passes to ``pip install``."""
    for part in re.split(r"&&|\|\||;", command):
        words = shlex.split(part)
        if "pip" not in words or "install" not in words[words.index("pip") :]:
            continue
        args = words[words.index("install", words.index("pip")) + 1 :]
        editable = False
        for i, word in enumerate(args):
            if word in ("-e", "--editable"):
                editable = True
            elif word.startswith("/") and not (i and args[i - 1] in ("-r", "-c", "-t")):
                yield word.rstrip("/"), editable
                editable = False


@dataclass(frozen=True)
class ImageInstall:
    """A first-party package that a Dockerfile installs."""

    package: LocalPackage
    editable: bool
    line: int


def _image_installs(dockerfile: Path) -> dict[str, ImageInstall]:
    """The first-party packages a Dockerfile installs, by canonical name."""
    instructions = instructions_of(dockerfile)
    copied = _copied_folders(instructions)
    installs: dict[str, ImageInstall] = {}
    for inst in pip_install_lines(instructions):
        for target, editable in _pip_targets(inst.args):
            folder = copied.get(target)
            package = BY_FOLDER.get(folder) if folder is not None else None
            if package is not None:
                installs[package.name] = ImageInstall(package, editable, inst.line)
    return installs


def _imports(package: LocalPackage) -> dict[str, str]:
    """Top-level absolute import name -> the first file importing it (lazy imports too)."""
    found: dict[str, str] = {}
    for path in package.sources():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], _rel(path))
    return found


def _first_party_imports(package: LocalPackage) -> dict[str, str]:
    return {name: where for name, where in _imports(package).items() if name in BY_IMPORT}


def _third_party_imports(package: LocalPackage) -> dict[str, str]:
    return {
        name: where
        for name, where in _imports(package).items()
        if name not in BY_IMPORT and name not in sys.stdlib_module_names
    }


def _cli_package() -> LocalPackage:
    declaring = [pkg for pkg in LOCAL.values() if CLI_SCRIPT in pkg.scripts]
    assert len(declaring) == 1, (
        f"{CLI_SCRIPT!r} must be the console script of exactly one package, found "
        f"{[_rel(p.folder) for p in declaring]}"
    )
    return declaring[0]


@pytest.fixture(params=SERVICE_DOCKERFILES, ids=[p.parent.name for p in SERVICE_DOCKERFILES])
def dockerfile(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_package_folders_are_found() -> None:
    assert {"winnow-common", "winnow-gpu-worker", "winnow-reporter", "winnow-cli"} <= set(LOCAL)
    assert all(pkg.import_packages for pkg in LOCAL.values()), "a package has no src/<name>/"


def test_each_image_installs_its_own_service_and_what_it_depends_on(dockerfile: Path) -> None:
    """Every first-party dependency of an installed package is installed, non-editable."""
    installs = _image_installs(dockerfile)
    service = BY_FOLDER.get(dockerfile.parent)
    assert service is not None and service.name in installs, (
        f"{_rel(dockerfile)} does not pip install its own package {_rel(dockerfile.parent)}"
    )
    missing = _first_party_closure(installs) - set(installs)
    assert not missing, f"{_rel(dockerfile)} installs packages needing {sorted(missing)}"
    editable = [f"line {i.line}: {name}" for name, i in installs.items() if i.editable]
    assert not editable, f"{_rel(dockerfile)}: editable installs in an image: {editable}"


def test_each_image_installs_every_first_party_module_its_packages_import(
    dockerfile: Path,
) -> None:
    installs = _image_installs(dockerfile)
    problems = [
        f"{where} imports {name}, from {BY_IMPORT[name].name}, which the image does not install"
        for install in installs.values()
        for name, where in _first_party_imports(install.package).items()
        if BY_IMPORT[name].name not in installs
    ]
    assert not problems, f"{_rel(dockerfile)}:\n  " + "\n  ".join(problems)


def test_gpu_worker_image_installs_what_winnow_worker_needs() -> None:
    cli = _cli_package()
    installs = _image_installs(CLI_IMAGE)
    needed = _first_party_closure([cli.name])
    assert {"winnow-common", "winnow-gpu-worker", "winnow-reporter"} <= needed
    missing = needed - set(installs)
    assert not missing, (
        f"{_rel(CLI_IMAGE)} must install {sorted(needed)} to run {CLI_SCRIPT!r} "
        f"(from {_rel(cli.folder)}); missing {sorted(missing)}"
    )
    for name in sorted(_first_party_imports(cli)):
        assert BY_IMPORT[name].name in needed, (
            f"{_rel(cli.folder)} imports {name} but does not depend on {BY_IMPORT[name].name}"
        )


def test_winnow_worker_entry_point_exists_in_its_package() -> None:
    """``module:function`` names a top-level function of a module inside the package."""
    cli = _cli_package()
    module, _, function = cli.scripts[CLI_SCRIPT].partition(":")
    assert module and function, f"{CLI_SCRIPT} = {cli.scripts[CLI_SCRIPT]!r}: not module:function"
    relative = Path(*module.split("."))
    files = [
        f
        for f in (
            cli.folder / "src" / f"{relative}.py",
            cli.folder / "src" / relative / "__init__.py",
        )
        if f.is_file()
    ]
    assert files, f"{_rel(cli.folder)} has no module {module!r}"
    tree = ast.parse(files[0].read_text())
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert function in defined, f"{_rel(files[0])} defines no top-level {function}()"

    # The environment the tests run in has the same entry point, and it loads.
    (entry,) = importlib.metadata.entry_points(group="console_scripts", name=CLI_SCRIPT)
    assert entry.value == cli.scripts[CLI_SCRIPT]
    assert entry.dist is not None and canonicalize_name(entry.dist.name) == cli.name
    assert callable(entry.load())


def test_winnow_worker_declares_the_libraries_it_imports() -> None:
    """Third-party imports of the CLI come from its own or a first-party dependency's list."""
    cli = _cli_package()
    declared = set().union(
        *(LOCAL[n].requirement_names() for n in _first_party_closure([cli.name]))
    )
    distributions = importlib.metadata.packages_distributions()
    problems = []
    for name, where in sorted(_third_party_imports(cli).items()):
        dists = {canonicalize_name(d) for d in distributions.get(name, [])}
        if not dists & declared:
            problems.append(f"{where} imports {name} ({sorted(dists) or 'not installed'})")
    assert not problems, "undeclared imports:\n  " + "\n  ".join(problems)
