"""The one place errors become HTTP responses: ``{"code": ..., "error": ...}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from winnow_common.enums import ApiErrorCode
from winnow_common.errors import WinnowError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: ApiErrorCode.BAD_REQUEST,
    401: ApiErrorCode.UNAUTHORIZED,
    403: ApiErrorCode.FORBIDDEN,
    404: ApiErrorCode.NOT_FOUND,
    405: ApiErrorCode.BAD_REQUEST,
    409: ApiErrorCode.CONFLICT,
}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"code": code, "error": message})


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg')}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    """Map the shared error hierarchy, validation errors and HTTP errors to one body shape."""

    @app.exception_handler(WinnowError)
    async def _winnow(_: Request, exc: WinnowError) -> JSONResponse:
        if exc.status_code >= 500:
            log.error("internal error: %s", exc.message)
        return error_response(exc.status_code, exc.code.value, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, ApiErrorCode.MALFORMED_REQUEST.value, _describe(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, ApiErrorCode.BAD_REQUEST)
        return error_response(exc.status_code, code.value, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, ApiErrorCode.INTERNAL_SERVER_ERROR.value, "internal error")
