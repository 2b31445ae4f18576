"""Limits on what a request may be, checked before routing: the body's size (a 413 naming the
body instead of reading without bound) and query parameters given once (a 422 naming the one
given twice; no route takes a list, and FastAPI would silently keep the last value)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from winnow_api.errors import winnow_error_response
from winnow_common.errors import InvalidInput, PayloadTooLarge

# The largest legitimate bodies are tag bitmasks (a quarter of a byte per sample: 25 MB for
# 100 million samples); custom metadata and worker configs are tiny.
MAX_BODY_BYTES = 64 * 1024 * 1024


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"body: larger than the limit of {limit} bytes")


class BodySizeLimit:
    """Refuse bodies over ``max_bytes``: at once when ``Content-Length`` says so, otherwise as
    soon as the bytes received pass the limit (chunked uploads)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await winnow_error_response(_too_large(self.max_bytes))(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised while FastAPI reads the body: it chains this to its "error parsing
                    # the body" exception, which the error handler turns back into this 413.
                    raise _too_large(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)


def _repeated_query_parameter(query_string: bytes) -> str | None:
    """The first query parameter given more than once, or None."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    counts = Counter(name for name, _ in pairs)
    return next((name for name, count in counts.items() if count > 1), None)


class SingleQueryValues:
    """Refuse a query parameter given more than once (``?pageOffset=1&pageOffset=2``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            name = _repeated_query_parameter(scope.get("query_string", b""))
            if name is not None:
                error = InvalidInput(f"{name[:80]}: given more than once; give it once")
                await winnow_error_response(error)(scope, receive, send)
                return
        await self.app(scope, receive, send)
