"""Write the API's OpenAPI document to packages/client/openapi.json, without a server.

The document is built from ``winnow_api.main:create_app()`` (no database or Redis connection:
nothing connects until a request arrives) and written deterministically: sorted keys, indent 2,
a trailing newline.

    python scripts/export_openapi.py            # (re)write packages/client/openapi.json
    python scripts/export_openapi.py --check    # exit 1 when the committed file is stale
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
OPENAPI_PATH = REPO_ROOT / "packages" / "client" / "openapi.json"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def build_schema() -> dict[str, Any]:
    """The OpenAPI document of the app, as FastAPI serves it at /openapi.json."""
    from winnow_api.main import create_app

    schema: dict[str, Any] = create_app().openapi()
    return schema


def operation_ids(schema: dict[str, Any]) -> list[str]:
    """Every operationId, in document order."""
    return [
        op["operationId"]
        for item in schema.get("paths", {}).values()
        for method, op in item.items()
        if method in HTTP_METHODS and "operationId" in op
    ]


def duplicate_operation_ids(schema: dict[str, Any]) -> list[str]:
    return sorted(name for name, n in Counter(operation_ids(schema)).items() if n > 1)


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def current_text() -> str:
    """The document as it must be committed; raises on duplicate operation ids."""
    schema = build_schema()
    duplicates = duplicate_operation_ids(schema)
    if duplicates:
        raise SystemExit(
            "export_openapi: duplicate operation ids (route function names must be unique "
            f"across the API): {', '.join(duplicates)}"
        )
    return render(schema)


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def check(path: Path = OPENAPI_PATH) -> str | None:
    """None when ``path`` is up to date, else a message with a short diff."""
    expected = current_text()
    committed = path.read_text() if path.exists() else ""
    if committed == expected:
        return None
    diff = list(
        difflib.unified_diff(
            committed.splitlines(),
            expected.splitlines(),
            f"{_shown(path)} (committed)",
            "generated from create_app()",
            lineterm="",
            n=2,
        )
    )
    shown = "\n".join(diff[:60]) + ("\n..." if len(diff) > 60 else "")
    return (
        f"{_shown(path)} is stale: the API changed. "
        "Run `make client` (python scripts/generate_client.py) and commit the result.\n" + shown
    )


def write(path: Path = OPENAPI_PATH) -> bool:
    """Write the document; True when the file changed."""
    text = current_text()
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the file is stale")
    parser.add_argument("--output", type=Path, default=OPENAPI_PATH)
    args = parser.parse_args(argv)
    if args.check:
        problem = check(args.output.resolve())
        if problem:
            print(problem, file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    changed = write(args.output)
    print(f"{args.output} {'written' if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
