"""Shared pytest fixtures: the bundled sample data built once into a tmp DuckDB warehouse.

`built_warehouse` (session scope) runs `dbt build` on the whole project against
`sample_data/raw`, with the sample's `as_of` date, into a tmp folder: its own DuckDB file and
private dbt target/log paths, never the repository's `target/`. It returns a
`warehouse_build.Warehouse` (attributes `db_path`, `raw_dir`, `root`, `outcome`):

    def test_something(built_warehouse):
        rows = built_warehouse.query("select count(*) from supporters")
        outcome = built_warehouse.dbt("test", "--select", "supporters")

The build's outcome is kept rather than asserted, so one broken model does not fail every
test folder: assert what your tests rely on, e.g.
`assert not built_warehouse.failures("supporters")`.

For a raw folder of your own, `from warehouse_build import make_warehouse` (see
tests/warehouse). dbt cannot run two invocations at once in one process: run serially.

`postgres` (module scope) is a throwaway loopback PostgreSQL server (tests/postgres_server.py)
for the portability tests; it skips the test where the server binaries are not installed,
unless ENGAGE_REQUIRE_POSTGRES=1 (set by .ci/run), where a missing server fails the test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from postgres_server import PostgresServer, find_bin_dir, start_server
from warehouse_build import PLANTED_CASES_PATH, Warehouse, make_warehouse

from sync.warehouse.project import SAMPLE_RAW_DIR

# The Mailchimp sandbox's fixtures (`sandbox`, `sandbox_sdk`, ...): registered here, for this
# test suite, rather than by every installation of the runtime package.
pytest_plugins = ["mailchimp_sandbox.pytest_plugin"]


@pytest.fixture(autouse=True)
def _same_environment_for_every_test() -> Iterator[None]:
    """Each test starts from the environment the session started with. The code under test
    exports its settings for dbt's env_var() (`Settings.apply_to_env`: ENGAGE_TARGET,
    ENGAGE_DUCKDB_PATH, ENGAGE_RAW_DIR; `--target`), which is right for one command but would
    leak into the next test of the same process: a PostgreSQL build's ENGAGE_TARGET made a
    later DuckDB test connect to PostgreSQL when `make test` ran the files on two workers."""
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def planted_cases() -> dict:
    """sample_data/planted_cases.json: the cases planted in the sample set, with expectations."""
    return json.loads(PLANTED_CASES_PATH.read_text())


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The bundled sample set, built once per test session with `dbt build` (all models)."""
    warehouse = make_warehouse(tmp_path_factory.mktemp("built_warehouse"), SAMPLE_RAW_DIR)
    warehouse.outcome = warehouse.dbt("build")
    if not warehouse.db_path.exists():
        pytest.fail(f"dbt build produced no warehouse: {warehouse.outcome.error}")
    return warehouse


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """A fresh PostgreSQL server on loopback, stopped and removed after the module."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        missing = (
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
            "(apt-get install postgresql; .ci/run does this)"
        )
        if os.environ.get("ENGAGE_REQUIRE_POSTGRES") == "1":
            pytest.fail(missing + "; ENGAGE_REQUIRE_POSTGRES=1 makes this a failure")
        pytest.skip(missing)
    server = start_server(bin_dir)
    try:
        yield server
    finally:
        server.stop()
