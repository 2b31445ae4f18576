"""The dashboard's Galleries page data: one JSON document per run (not in the OpenAPI
document; the clients never call it). Authenticated like every route (session cookie or
``?token=``); a run the caller cannot read is a 404 naming ``runId``."""

from __future__ import annotations

from fastapi import APIRouter

from winnow_api.dashboard import galleries_service
from winnow_api.dashboard.galleries_service import Galleries
from winnow_api.deps import CurrentUser, SessionDep, end_transaction
from winnow_api.params import RunId

router = APIRouter(include_in_schema=False)


@router.get("/dashboard/api/runs/{runId}/galleries", response_model=Galleries)
def run_galleries(run_id: RunId, user: CurrentUser, session: SessionDep) -> Galleries:
    """Corrupt files, exact duplicates, removed-vs-nearest-selected pairs and metadata
    histograms of a run, with signed thumbnail URLs."""
    prepared = galleries_service.prepare(session, user, run_id)
    end_transaction(session)
    return galleries_service.build(prepared)
