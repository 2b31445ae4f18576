"""The one place errors become HTTP responses: ``{"code": ..., "error": ...}``."""

from __future__ import annotations

import logging
import sys

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


def winnow_error_response(exc: WinnowError) -> JSONResponse:
    """The response for an error of the shared hierarchy."""
    return error_response(exc.status_code, exc.code.value, exc.message)


# The first element of a validation error's ``loc`` says where the field was sent.
_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def _field(loc: tuple[object, ...]) -> str:
    """The field a validation error is about: ``pageSize``, ``customMetaData``, ``name``
    (without its location), ``OBS.obsEndpoint`` inside a union, ``body`` for the whole body."""
    if loc and loc[0] in _LOCATIONS:
        where, loc = str(loc[0]), loc[1:]
    else:
        where = "body"
    return ".".join(str(p) for p in loc) or where


_TAG_ERRORS = {"union_tag_invalid", "union_tag_not_found"}


def _describe(exc: RequestValidationError) -> str:
    """``field: problem`` for every validation error (``body`` when the whole body is wrong)."""
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "invalid JSON")
            position = next((p for p in err.get("loc", ()) if isinstance(p, int)), None)
            where = f" at character {position}" if position is not None else ""
            parts.append(f"body: not valid JSON{where}: {reason}")
            continue
        loc = _field(tuple(err.get("loc", ())))
        if err.get("type") in _TAG_ERRORS:
            # A discriminated union's tag is missing or unknown: the field is the tag's key.
            tag = str((err.get("ctx") or {}).get("discriminator", "")).strip("'")
            loc = tag if loc == "body" else f"{loc}.{tag}"
        message = str(err.get("msg"))
        # pydantic prefixes the message of a ValueError raised by a validator.
        message = message.removeprefix("Value error, ")
        parts.append(f"{loc}: {message}")
    return "; ".join(parts)


# FastAPI's answer when reading or decoding the body failed for another reason than JSON syntax
# (the cause is chained): invalid UTF-8, numbers too long to convert, nesting too deep.
_BODY_PARSE_DETAIL = "There was an error parsing the body"
_MAX_INT_DIGITS = sys.get_int_max_str_digits()


def _body_parse_error(exc: StarletteHTTPException) -> JSONResponse | None:
    """A final 4xx naming the body for a body FastAPI could not parse (``None``: not that)."""
    cause = exc.__cause__
    if exc.status_code != 400 or exc.detail != _BODY_PARSE_DETAIL or cause is None:
        return None
    if isinstance(cause, WinnowError):
        return winnow_error_response(cause)
    if isinstance(cause, UnicodeDecodeError):
        reason = f"not valid UTF-8 ({cause.reason} at byte {cause.start})"
    elif isinstance(cause, RecursionError):
        reason = "nested too deeply to be parsed"
    elif isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        # Python's JSON parser refuses integers of more than sys.get_int_max_str_digits().
        reason = f"cannot be parsed as JSON (an integer has more than {_MAX_INT_DIGITS} digits)"
    else:
        reason = f"cannot be parsed as JSON ({cause})"
    return error_response(422, ApiErrorCode.MALFORMED_REQUEST.value, f"body: {reason}")


def install_error_handlers(app: FastAPI) -> None:
    """Map the shared error hierarchy, validation errors and HTTP errors to one body shape."""

    @app.exception_handler(WinnowError)
    async def _winnow(_: Request, exc: WinnowError) -> JSONResponse:
        if exc.status_code >= 500:
            log.error("internal error: %s", exc.message)
        return winnow_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, ApiErrorCode.MALFORMED_REQUEST.value, _describe(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        body_error = _body_parse_error(exc)
        if body_error is not None:
            return body_error
        code = _HTTP_CODES.get(exc.status_code, ApiErrorCode.BAD_REQUEST)
        return error_response(exc.status_code, code.value, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, ApiErrorCode.INTERNAL_SERVER_ERROR.value, "internal error")
