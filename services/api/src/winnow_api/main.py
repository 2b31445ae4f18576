"""The FastAPI application factory."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from winnow_api.collaboration.router import router as collaboration_router
from winnow_api.configuration.router import router as configuration_router
from winnow_api.dashboard.datasets_router import router as dashboard_datasets_router
from winnow_api.dashboard.embedding_router import router as dashboard_embedding_router
from winnow_api.dashboard.galleries_router import router as galleries_router
from winnow_api.dashboard.router import router as dashboard_router
from winnow_api.datasets.router import router as datasets_router
from winnow_api.datasources.file_router import router as datasource_files_router
from winnow_api.datasources.listing_router import router as datasource_listing_router
from winnow_api.datasources.router import router as datasources_router
from winnow_api.embeddings.router import router as embeddings_router
from winnow_api.errors import install_error_handlers
from winnow_api.files.router import router as files_router
from winnow_api.limits import BodySizeLimit, SingleQueryValues
from winnow_api.predictions.router import router as predictions_router
from winnow_api.runs.router import router as runs_router
from winnow_api.samples.router import router as samples_router
from winnow_api.sampling.router import router as sampling_router
from winnow_api.tags.router import router as tags_router
from winnow_api.versions.router import router as versions_router
from winnow_api.workers.router import router as workers_router
from winnow_common import __version__
from winnow_dashboard import STATIC_DIR


def create_app() -> FastAPI:
    """Build the app: routers, error mapping. Nothing connects until a request arrives."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = FastAPI(
        title="Winnow API",
        version=__version__,
        description="Self-hosted data curation; speaks the Lightly Platform v1 wire format.",
        generate_unique_id_function=lambda route: route.name,
    )
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(SingleQueryValues)
    # The order routes match in (a literal path before a parameterised one of the same shape).
    for router in (
        versions_router,
        datasets_router,
        datasources_router,
        datasource_listing_router,
        workers_router,
        runs_router,
        tags_router,
        samples_router,
        collaboration_router,
        embeddings_router,
        sampling_router,
        predictions_router,
        configuration_router,
        files_router,
        datasource_files_router,
        dashboard_embedding_router,
        dashboard_router,
        dashboard_datasets_router,
        galleries_router,
    ):
        app.include_router(router)
    app.mount("/dashboard/static", StaticFiles(directory=STATIC_DIR), name="dashboard-static")
    return app
