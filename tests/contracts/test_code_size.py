"""Size limits on the hand-written Python of the repository (issue 11's acceptance).

Every ``*.py`` file git knows or would pick up (``git ls-files --cached --others
--exclude-standard``: tracked files plus new files not yet added, ignored ones left out; a walk
of the tree when git or the repository is absent) must have at most 500 lines, and every
function or method in it at most 80 lines. A function's length is ``end_lineno - lineno + 1``
of its ``def`` node: the ``def`` line through its last body line, decorators excluded (they are
configuration, not code to read). Nested functions are measured on their own as well as inside
their parent.

Generated code is exempt, and only that: the generated client
(``packages/client/src/winnow_client/generated/``) and the Alembic migration versions
(``migrations/versions/``), which Alembic writes.
"""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
GENERATED_PREFIXES = (
    "packages/client/src/winnow_client/generated/",
    "migrations/versions/",
)
# Folders a walk skips: environments, caches and state, none of them the project's source.
_WALK_SKIP = {".git", ".venv", "node_modules", "__pycache__", ".winnow", ".mypy_cache"}


def _python_files() -> list[str]:
    """Repository-relative paths of the ``*.py`` files, generated code left out."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        paths = [p for p in out.split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        paths = _walk_python_files()
    return sorted({p for p in paths if not p.startswith(GENERATED_PREFIXES)})


def _walk_python_files() -> list[str]:
    """The ``*.py`` files under the repository root, for checkouts without git."""
    found: list[str] = []
    for folder, dirs, files in os.walk(REPO_ROOT):
        dirs[:] = [d for d in dirs if d not in _WALK_SKIP and not d.startswith(".")]
        for name in files:
            if name.endswith(".py"):
                found.append(Path(folder, name).relative_to(REPO_ROOT).as_posix())
    return found


def _oversized(rel_path: str) -> list[str]:
    """One line per limit the file breaks: the file's own length, then each long function."""
    path = REPO_ROOT / rel_path
    if not path.is_file():  # tracked but deleted in the work tree
        return []
    source = path.read_text(encoding="utf-8")
    problems: list[str] = []
    n_lines = len(source.splitlines())
    if n_lines > MAX_FILE_LINES:
        problems.append(f"{rel_path}: {n_lines} lines (limit {MAX_FILE_LINES})")
    for node in ast.walk(ast.parse(source, filename=rel_path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                problems.append(
                    f"{rel_path}:{node.lineno} {node.name}(): {length} lines "
                    f"(limit {MAX_FUNCTION_LINES})"
                )
    return problems


def test_no_python_file_or_function_over_the_size_limits() -> None:
    """No hand-written file over 500 lines, no function over 80; every offender is named."""
    files = _python_files()
    assert files, "no Python files found"
    problems = [problem for rel_path in files for problem in _oversized(rel_path)]
    assert not problems, "over the size limits:\n" + "\n".join(problems)
