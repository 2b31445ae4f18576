"""Request dependencies: the transaction (owned by the edge), the job queue, the current user."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from winnow_api.auth import authenticate
from winnow_api.enqueue import JobQueue
from winnow_common.db.models import User
from winnow_common.db.session import session_factory


@lru_cache
def _sessions() -> sessionmaker[Session]:
    return session_factory()


def get_jobs(request: Request) -> JobQueue:
    """The request's job queue."""
    jobs: JobQueue | None = getattr(request.state, "jobs", None)
    if jobs is None:
        jobs = JobQueue()
        request.state.jobs = jobs
    return jobs


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: commit on success, roll back on error, then publish jobs.

    Publishing happens only after a successful commit, so a worker never sees a run id whose
    row is not visible yet, and a rolled-back request sends nothing.
    """
    jobs = get_jobs(request)
    session = _sessions()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        jobs.discard()
        raise
    finally:
        session.close()
    jobs.publish()


def end_transaction(session: Session) -> None:
    """End the request's transaction early, before slow work that needs no database (probing
    a bucket): the connection goes back to the pool instead of idling in a transaction.

    The edge still decides: this commits what the request did so far, as the end of a
    successful request would; a later query starts a new transaction, which ``get_session``
    commits (or rolls back) as usual, and jobs are still published after that final commit.
    """
    session.commit()


# scope="function": the commit and the job publishing run when the route returns, before the
# response is sent, so a client never sees a 201 for data that is not committed yet.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
JobsDep = Annotated[JobQueue, Depends(get_jobs)]


# The dashboard's session cookie (set by ``POST /dashboard/session``): the same API token,
# HttpOnly and SameSite=Strict, so the pages call the same routes as the clients do.
SESSION_COOKIE = "winnow_token"


def get_current_user(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Query(description="Winnow API token")] = None,
) -> User:
    """The authenticated user: ``?token=``, else the dashboard's session cookie (401 otherwise)."""
    return authenticate(session, token or request.cookies.get(SESSION_COOKIE))


CurrentUser = Annotated[User, Depends(get_current_user)]
