"""What every mixin does with the generated client's answers: check, unwrap, page, download."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from winnow_client.generated.types import Response
from winnow_client.workflow.errors import WinnowApiError

T = TypeVar("T")

# Page sizes lightly uses: 5000 for datasets, runs and filename exports; 25000 for samples.
PAGE_SIZE = 5000
SAMPLE_PAGE_SIZE = 25000


def wire_value(member: Any) -> str:
    """An enum member's wire value, or the string itself."""
    return str(getattr(member, "value", member))


def error_of(status: int, content: bytes) -> WinnowApiError:
    """The ``WinnowApiError`` of an error answer, with the Lightly code and message if any."""
    code, message = "", content.decode(errors="replace")
    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        code = str(body.get("code", ""))
        message = str(body.get("error") or body.get("detail") or message)
    return WinnowApiError(status, code, message)


def check(response: Response[Any]) -> None:
    """Raise ``WinnowApiError`` unless the answer is a 2xx."""
    if not 200 <= response.status_code < 300:
        raise error_of(int(response.status_code), response.content)


def ok(response: Response[Any], kind: type[T]) -> T:
    """The parsed body of a 2xx answer, checked to be a ``kind``."""
    check(response)
    parsed = response.parsed
    if not isinstance(parsed, kind):
        raise WinnowApiError(
            int(response.status_code),
            "UNEXPECTED_RESPONSE",
            f"expected {kind.__name__}, got {type(parsed).__name__}",
        )
    return parsed


def ok_list(response: Response[Any], kind: type[T]) -> list[T]:
    """The parsed list body of a 2xx answer, each item checked to be a ``kind``."""
    check(response)
    parsed = response.parsed
    if not isinstance(parsed, list) or not all(isinstance(item, kind) for item in parsed):
        raise WinnowApiError(
            int(response.status_code), "UNEXPECTED_RESPONSE", f"expected a list of {kind.__name__}"
        )
    return parsed


def paginate(fetch: Callable[[int, int], list[T]], page_size: int) -> list[T]:
    """Every item: ``fetch(offset, page_size)`` with item offsets until a short or empty page."""
    items: list[T] = []
    offset = 0
    while True:
        page = fetch(offset, page_size)
        items.extend(page)
        if len(page) < page_size:
            return items
        offset += page_size


def download(url: str, output_path: str | Path, timeout: float) -> None:
    """Write the bytes at a signed URL (no token) to ``output_path``, creating its parents."""
    path = Path(output_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
        response.raise_for_status()
        with path.open("wb") as fh:
            for chunk in response.iter_raw():
                fh.write(chunk)
