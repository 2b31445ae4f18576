"""The FastAPI application factory."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from winnow_api.errors import install_error_handlers
from winnow_api.limits import BodySizeLimit, SingleQueryValues
from winnow_api.routes import (
    collaboration,
    datasets,
    datasources,
    files,
    runs,
    samples,
    tags,
    versions,
    workers,
)
from winnow_common import __version__


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
    for module in (
        versions,
        datasets,
        datasources,
        workers,
        runs,
        tags,
        samples,
        collaboration,
        files,
    ):
        app.include_router(module.router)
    return app
