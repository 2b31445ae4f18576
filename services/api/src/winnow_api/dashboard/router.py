"""The dashboard: its page, its static files (mounted by ``main``) and the log-in session.

The session is the user's API token in an HttpOnly, SameSite=Strict cookie; every API route
accepts it in place of ``?token=`` (``deps.get_current_user``), so the pages use the same routes
as the clients. Not part of the OpenAPI document: the clients never call these.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, Field

from winnow_api.auth import authenticate
from winnow_api.deps import SESSION_COOKIE, CurrentUser, SessionDep
from winnow_dashboard import INDEX_HTML

router = APIRouter(include_in_schema=False)

# Nothing the page loads comes from outside this server.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}
SESSION_MAX_AGE_S = 7 * 24 * 3600


class LogIn(BaseModel):
    """The token a user logs in with."""

    token: str = Field(min_length=1, max_length=256)


class SessionUser(BaseModel):
    """Who the session belongs to."""

    email: str


@router.get("/")
def root() -> RedirectResponse:
    """The dashboard is the server's home page."""
    return RedirectResponse("/dashboard/", status_code=307)


@router.get("/dashboard")
@router.get("/dashboard/")
def page() -> FileResponse:
    """The dashboard's single page (its views are hash routes)."""
    return FileResponse(INDEX_HTML, media_type="text/html", headers=PAGE_HEADERS)


@router.post("/dashboard/session", response_model=SessionUser)
def log_in(body: Annotated[LogIn, Body()], session: SessionDep, response: Response) -> SessionUser:
    """Check the token (401 naming ``token`` otherwise) and keep it in the session cookie."""
    user = authenticate(session, body.token)
    response.set_cookie(
        SESSION_COOKIE,
        body.token,
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        path="/",
    )
    return SessionUser(email=user.email)


@router.get("/dashboard/session", response_model=SessionUser)
def who(user: CurrentUser) -> SessionUser:
    """The session's user (401 when logged out)."""
    return SessionUser(email=user.email)


@router.delete("/dashboard/session", status_code=204, response_class=Response)
def log_out() -> Response:
    """Forget the session cookie."""
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
