"""A throwaway PostgreSQL server on loopback for the portability tests, and the copy of a
DuckDB warehouse's raw tables into it (the `postgres` fixture is in tests/conftest.py).

Uses the server binaries under /usr/lib/postgresql/<version>/bin (Debian's `postgresql`
package; `.ci/run` installs it). initdb refuses to run as root, so as root the server runs as
the unprivileged `postgres` system user (created when missing), in a data directory that user
owns. The cluster uses the C locale so text sorts byte-wise, as in DuckDB.
"""

from __future__ import annotations

import csv
import glob
import io
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

SERVICE_USER = "postgres"
RAW_TABLES = ("raw_files", "raw_headers", "raw_rows")
# DuckDB column type -> Postgres column type (anything else is text)
_PG_TYPES = {"BIGINT": "bigint", "INTEGER": "integer", "BOOLEAN": "boolean"}


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL bin directory with initdb, or None."""

    def version(initdb: str) -> int:
        name = Path(initdb).parent.parent.name
        return int(name) if name.isdigit() else 0

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    bin_dir: Path
    base: Path
    port: int
    user: str = "engage"
    dbname: str = "engage"

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    def _as_service_user(self, args: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", SERVICE_USER, "--", *args]
        return args

    def _run(self, args: list[str]) -> None:
        result = subprocess.run(
            self._as_service_user(args), capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()}\n{log}"
            )

    def start(self) -> None:
        self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.user,
                "--auth=trust",
                "--locale=C",
                "--encoding=UTF8",
            ]
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-o",
                options,
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres")
        con.autocommit = True
        try:
            con.cursor().execute(f"create database {self.dbname}")
        finally:
            con.close()

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            subprocess.run(
                self._as_service_user(
                    [
                        str(self.bin_dir / "pg_ctl"),
                        "-D",
                        str(self.data_dir),
                        "-m",
                        "immediate",
                        "-w",
                        "stop",
                    ]
                ),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.base, ignore_errors=True)

    def connect(self):
        import psycopg2

        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname=self.dbname
        )

    def fresh_target(self, prefix: str):
        """A new, empty database on this server, as the sync's storage target (schema main)."""
        import uuid

        from sync.warehouse.storage import PostgresTarget

        name = prefix + uuid.uuid4().hex[:10]
        admin = self.connect()
        admin.autocommit = True
        try:
            admin.cursor().execute(f"create database {name}")
        finally:
            admin.close()
        return PostgresTarget(
            host="127.0.0.1", port=self.port, user=self.user, dbname=name, schema="main"
        )

    def env(self) -> dict[str, str]:
        """The ENGAGE_PG_* variables profiles/profiles.yml reads for the postgres target."""
        return {
            "ENGAGE_PG_HOST": "127.0.0.1",
            "ENGAGE_PG_PORT": str(self.port),
            "ENGAGE_PG_USER": self.user,
            "ENGAGE_PG_PASSWORD": "unused",
            "ENGAGE_PG_DBNAME": self.dbname,
            "ENGAGE_PG_SCHEMA": "main",
        }


def _ensure_service_user() -> None:
    if os.geteuid() != 0:
        return
    if subprocess.run(["id", "-u", SERVICE_USER], capture_output=True).returncode == 0:
        return
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
        check=True,
        capture_output=True,
    )


def start_server(bin_dir: Path) -> PostgresServer:
    """Start a fresh cluster in a new directory under the system temp folder (not under
    pytest's tmp, which root keeps private)."""
    _ensure_service_user()
    base = Path(tempfile.mkdtemp(prefix="engage-pg-"))
    os.chmod(base, 0o700)
    if os.geteuid() == 0:
        shutil.chown(base, user=SERVICE_USER, group=None)
    server = PostgresServer(bin_dir=bin_dir, base=base, port=_free_port())
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


def _raw_relation(warehouse, table: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    """Columns (name, DuckDB type) and rows of one raw table of a built DuckDB warehouse:
    `raw_rows` is the ingest folder's Parquet next to the DuckDB file, the others are tables."""
    if table == "raw_rows":
        glob_ = f"{warehouse.db_path}.ingest/rows/*/*.parquet"
        rel = duckdb.sql(
            f"select * from read_parquet('{glob_}', union_by_name = true, "
            "hive_partitioning = false)"
        )
        return list(zip(rel.columns, (str(t) for t in rel.types), strict=True)), rel.fetchall()
    columns = warehouse.query(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [table],
    )
    return columns, warehouse.query(f"select * from raw.{table}")


def copy_raw_tables(warehouse, server: PostgresServer) -> dict[str, int]:
    """Copy the raw tables of a built DuckDB warehouse (`warehouse_build.Warehouse`) into
    schema `raw` on the server, with the same columns and types; returns rows per table."""
    counts = {}
    con = server.connect()
    try:
        cur = con.cursor()
        cur.execute("create schema raw")
        for table in RAW_TABLES:
            columns, rows = _raw_relation(warehouse, table)
            cur.execute(
                f"create table raw.{table} ("
                + ", ".join(f"{name} {_PG_TYPES.get(kind, 'text')}" for name, kind in columns)
                + ")"
            )
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in rows:
                writer.writerow(["\\N" if v is None else v for v in row])
            buffer.seek(0)
            cur.copy_expert(f"copy raw.{table} from stdin with (format csv, null '\\N')", buffer)
            counts[table] = len(rows)
        con.commit()
    finally:
        con.close()
    return counts
