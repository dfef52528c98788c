"""Fixtures for the warehouse tests: the tiny raw folder built once per session."""

from __future__ import annotations

import pytest
from warehouse_build import Warehouse, make_warehouse
from warehousetest_helpers import build_layers, write_tiny_raw


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """warehousetest_helpers.write_tiny_raw built with the warehouse layers only. Read it;
    to change it, copy its raw folder and DuckDB file (see copy_tiny)."""
    root = tmp_path_factory.mktemp("tiny")
    warehouse = make_warehouse(root, write_tiny_raw(root / "raw"))
    build_layers(warehouse)
    return warehouse
