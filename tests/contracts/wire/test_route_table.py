"""The meta-test: every route of the table is served by the app and exercised by a wire test."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi.testclient import TestClient

import tests.contracts.wire as wire_package
from tests.contracts.wire.routes import COVERED, ROUTES


def _import_wire_tests() -> None:
    """Import every wire test module, so their ``@covers`` marks are in ``COVERED`` even when
    this module runs alone (pytest has imported them already when it collected them)."""
    for module in pkgutil.iter_modules(wire_package.__path__):
        if module.name.startswith("test_"):
            importlib.import_module(f"{wire_package.__name__}.{module.name}")


def test_every_route_of_the_table_is_served_and_exercised(wire_client: TestClient) -> None:
    _import_wire_tests()
    assert sorted(ROUTES) == list(range(1, 59))
    assert sorted(COVERED) == list(range(1, 59)), (
        f"routes without a test: {set(ROUTES) - set(COVERED)}"
    )
    # The OpenAPI document lists every mounted path operation (routers included).
    paths = wire_client.app.openapi()["paths"]  # type: ignore[attr-defined]
    served = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    missing = [
        f"#{n} {method} {path}"
        for n, (method, path, _) in sorted(ROUTES.items())
        if (method, path) not in served
    ]
    assert not missing, f"routes not served: {missing}"
