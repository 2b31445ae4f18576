"""The request body size limit: a 413 naming the body instead of reading without bound."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from winnow_api.errors import winnow_error_response
from winnow_common.errors import PayloadTooLarge

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
