"""The warehouse as the sync sees it: one small storage interface, two engines.

Owns every connection the sync, the build report and the segment catalogue open to the
warehouse (the sync's state tables in `engage_sync`, the desired-state models it plans from,
`source_files`, the segment marts): `Store`, with a DuckDB implementation
(the embedded file) and a PostgreSQL one, and which of them the selected dbt target means
(`storage_target`, read from `profiles/profiles.yml`, the one place connection settings live).

The interface is deliberately small and DB-API shaped, so the SQL stays the caller's:

- `execute(sql, params)` runs one statement (or a parameterless script) with `?` placeholders
  and returns a `Result` (`fetchall`, `fetchone`, `description`), fetched eagerly;
- `rows`, `row`, `dicts`: the same, read; `executemany` for a few rows;
- `bulk(sql, columns, rows)`: runs `sql` once over many rows, which it reads as the relation
  `_bulk` (DuckDB: an Arrow table registered for the statement; PostgreSQL: a temporary table
  filled with `COPY ... FROM STDIN`): one set-based statement instead of one per row;
- `copy_in(table, columns, rows)`: the bulk load path (PostgreSQL `COPY`; DuckDB: an insert
  from Arrow);
- `transaction()`: one transaction (commit on success, rollback on error), not nested;
- `table_exists`, `schema_names`, `close`.

Portable SQL is the callers' duty: `?` placeholders, `insert ... on conflict ... do update`,
`drop table if exists` + `create temp table ... as`, `starts_with`, `string_agg(... order by)`.
The few spellings that differ are `Store.dialect`-keyed fragments (`json_object_agg`). Driver
errors come out as `sync.errors.StorageError` (first line, redacted), the driver's as cause.
"""

from __future__ import annotations

import io
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import jinja2
import pyarrow as pa
import yaml

from sync.errors import ConfigError, StorageError, redact
from sync.warehouse.project import PROFILES_DIR

try:  # the PostgreSQL driver is an extra (`pip install engage[postgres]`)
    import psycopg2
except ImportError:  # pragma: no cover - the dev environment has it
    psycopg2 = None

PROFILE_NAME = "engage"

# libpq options for every PostgreSQL session engage opens, dbt's included (through PGOPTIONS,
# unless the operator set it): no JIT. The staging model that renames each file's columns is
# one large statement of many cheap expressions; PostgreSQL's cost model sends it to LLVM,
# whose compilation takes minutes where running it takes seconds.
PG_SESSION_OPTIONS = "-c jit=off"

# Column type letters of `bulk` specs: v text, t timestamp, i integer, b boolean.
_ARROW_TYPES = {"v": pa.string(), "t": pa.timestamp("us"), "i": pa.int64(), "b": pa.bool_()}
_PG_TYPES = {"v": "varchar", "t": "timestamp", "i": "bigint", "b": "boolean"}

# SQL fragments that are spelled differently, by dialect.
FRAGMENTS: dict[str, dict[str, str]] = {
    "duckdb": {"json_object_agg": "json_group_object"},
    "postgres": {"json_object_agg": "json_object_agg"},
}


# ---------------------------------------------------------------------------------------------
# Targets: where the warehouse is


@dataclass(frozen=True)
class DuckDBTarget:
    """The embedded warehouse: one DuckDB file."""

    path: Path
    dialect: ClassVar[str] = "duckdb"

    def describe(self) -> str:
        return f"DuckDB file {self.path}"


@dataclass(frozen=True)
class PostgresTarget:
    """A PostgreSQL database; `schema` is where dbt builds the models (the profile's)."""

    host: str
    port: int
    user: str
    dbname: str
    schema: str
    password: str = field(default="", repr=False)
    dialect: ClassVar[str] = "postgres"

    def describe(self) -> str:  # never the password
        return f"PostgreSQL {self.user}@{self.host}:{self.port}/{self.dbname}"


StorageTarget = DuckDBTarget | PostgresTarget


def _env_var(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ConfigError(f"profiles/profiles.yml needs the environment variable {name}")
    return value


def _render(value: Any) -> Any:
    """A profile value as dbt renders it (`env_var`, filters such as `int`)."""
    if isinstance(value, str) and "{{" in value:
        return jinja2.Environment().from_string(value).render(env_var=_env_var)
    if isinstance(value, dict):
        return {k: _render(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v) for v in value]
    return value


def profile_output(target: str | None = None, profiles_dir: Path = PROFILES_DIR) -> dict:
    """The rendered output `target` (default: $ENGAGE_TARGET, else the profile's own default)
    of the `engage` profile, with its name under `name`."""
    path = profiles_dir / "profiles.yml"
    try:
        profile = yaml.safe_load(path.read_text(encoding="utf-8"))[PROFILE_NAME]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as err:
        raise ConfigError(f"cannot read the {PROFILE_NAME!r} profile in {path}: {err}") from None
    name = target or os.environ.get("ENGAGE_TARGET") or str(_render(profile.get("target")))
    outputs = profile.get("outputs") or {}
    if name not in outputs:
        raise ConfigError(
            f"target {name!r} is not in {path} (targets: {', '.join(sorted(outputs))}); "
            "set ENGAGE_TARGET or --target to one of them"
        )
    return {"name": name, **_render(outputs[name])}


def storage_target(duckdb_path: Path, target: str | None = None) -> StorageTarget:
    """Where the sync's tables live for the selected dbt target: the DuckDB file
    `duckdb_path` (`--db`, `ENGAGE_DUCKDB_PATH`) on a duckdb target, else the target's
    PostgreSQL database."""
    out = profile_output(target)
    kind = out.get("type")
    if kind == "duckdb":
        return DuckDBTarget(Path(duckdb_path))
    if kind == "postgres":
        return PostgresTarget(
            host=str(out.get("host", "127.0.0.1")),
            port=int(out.get("port", 5432)),
            user=str(out.get("user", "")),
            dbname=str(out.get("dbname") or out.get("database") or ""),
            schema=str(out.get("schema", "public")),
            password=str(out.get("password") or out.get("pass") or ""),
        )
    raise ConfigError(
        f"target {out['name']!r} is a {kind} warehouse; engage's sync and ingest run on duckdb "
        "and postgres targets (the models alone may build elsewhere: docs/engines.md)"
    )


# ---------------------------------------------------------------------------------------------
# The interface


@dataclass
class Result:
    """What a statement returned, fetched: DB-API's `description`, `fetchall`, `fetchone`."""

    description: list[tuple] | None
    _rows: list[tuple]

    @property
    def columns(self) -> list[str]:
        return [d[0] for d in self.description or []]

    def fetchall(self) -> list[tuple]:
        return self._rows

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None


class Store(ABC):
    """One open connection to the warehouse."""

    dialect: ClassVar[str]
    target: StorageTarget

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        """Run one statement with `?` placeholders (or a script without parameters)."""

    @abstractmethod
    def bulk(self, sql: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run `sql` once over `rows`, which it reads as the relation `_bulk`.

        `columns` names the rows' columns with a type letter each (v text, t timestamp,
        i integer, b boolean), e.g. "subscriber_hash:v tag:v". Nothing runs for no rows."""

    @abstractmethod
    def copy_in(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Append rows to an existing table through the engine's bulk path; rows copied."""

    @abstractmethod
    def close(self) -> None: ...

    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        """One statement per parameter row (a few rows; use `bulk` or `copy_in` for many)."""
        for p in params:
            self.execute(sql, p)

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] | None = None) -> tuple | None:
        return self.execute(sql, params).fetchone()

    def dicts(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        res = self.execute(sql, params)
        return [dict(zip(res.columns, r, strict=True)) for r in res.fetchall()]

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One transaction: commit on success, rollback on any error (then re-raised)."""
        self.execute("begin transaction")
        try:
            yield self
        except BaseException:
            self.execute("rollback")
            raise
        self.execute("commit")

    def table_exists(self, schema: str, table: str) -> bool:
        """A table or view `schema.table` in the current database."""
        return bool(
            self.row(
                "select count(*) from information_schema.tables where table_schema = ? "
                "and table_name = ? and table_catalog = current_database()",
                [schema, table],
            )[0]
        )

    def schema_names(self) -> list[str]:
        return [
            r[0]
            for r in self.rows(
                "select schema_name from information_schema.schemata "
                "where catalog_name = current_database() order by 1"
            )
        ]

    def fragment(self, name: str) -> str:
        """A SQL spelling that differs between engines (see FRAGMENTS)."""
        return FRAGMENTS[self.dialect][name]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _error(err: Exception) -> StorageError:
    first = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return StorageError(redact(first))


class DuckDBStore(Store):
    """The embedded warehouse file. `connection` is DuckDB's own, for DuckDB-only readers."""

    dialect = "duckdb"

    def __init__(self, target: DuckDBTarget, read_only: bool = False) -> None:
        self.target = target
        path = Path(target.path)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as err:
            raise _error(err) from err

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        try:
            cur = (
                self.connection.execute(sql, list(params))
                if params
                else self.connection.execute(sql)
            )
            return Result(cur.description, cur.fetchall() if cur.description else [])
        except duckdb.Error as err:
            raise _error(err) from err

    def bulk(self, sql: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        self.connection.register("_bulk", _arrow(columns, rows))
        try:
            self.execute(sql)
        finally:
            self.connection.unregister("_bulk")

    def copy_in(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        data = [list(r) for r in rows]
        if not data:
            return 0
        spec = " ".join(f"{c}:v" for c in columns)
        self.connection.register("_copy", _arrow(spec, data))
        try:
            self.execute(f"insert into {table} ({', '.join(columns)}) select * from _copy")
        finally:
            self.connection.unregister("_copy")
        return len(data)

    def close(self) -> None:
        self.connection.close()


def _arrow(columns: str, rows: Sequence[Sequence[Any]]) -> pa.Table:
    spec = [c.split(":") for c in columns.split()]
    return pa.table(
        {
            name: pa.array([r[i] for r in rows], type=_ARROW_TYPES[kind])
            for i, (name, kind) in enumerate(spec)
        }
    )


def to_pyformat(sql: str) -> str:
    """`?` placeholders -> psycopg2's `%s` (and `%` -> `%%`), outside quotes and comments."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:  # a doubled quote inside
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i : j + 1].replace("%", "%%"))
            i = j + 1
            continue
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j].replace("%", "%%"))
            i = j
            continue
        out.append("%s" if ch == "?" else "%%" if ch == "%" else ch)
        i += 1
    return "".join(out)


def _copy_value(value: Any) -> str:
    """One value in COPY's text format: `\\N` is null; backslash, tab, newline, CR escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class _CopyStream(io.TextIOBase):
    """Rows as COPY text, produced as psycopg2 reads (memory stays one buffer)."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self._rows = iter(rows)
        self._buf = ""
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._buf) < size:
            try:
                row = next(self._rows)
            except StopIteration:
                break
            self._buf += "\t".join(_copy_value(v) for v in row) + "\n"
            self.count += 1
        if size < 0:
            out, self._buf = self._buf, ""
        else:
            out, self._buf = self._buf[:size], self._buf[size:]
        return out

    def readline(self, size: int = -1) -> str:  # pragma: no cover - copy_expert uses read
        return self.read(size)


class PostgresStore(Store):
    """A PostgreSQL database through psycopg2, in autocommit mode: `transaction()` issues
    BEGIN/COMMIT itself, exactly as on DuckDB."""

    dialect = "postgres"

    def __init__(self, target: PostgresTarget) -> None:
        if psycopg2 is None:
            raise ConfigError(
                "the PostgreSQL target needs psycopg2: pip install 'engage[postgres]'"
            )
        self.target = target
        try:
            self.connection = psycopg2.connect(
                host=target.host,
                port=target.port,
                user=target.user,
                password=target.password or None,
                dbname=target.dbname,
                connect_timeout=int(os.environ.get("ENGAGE_PG_CONNECT_TIMEOUT", "10")),
                application_name="engage",
                options=os.environ.get("PGOPTIONS") or PG_SESSION_OPTIONS,
            )
        except psycopg2.Error as err:
            raise StorageError(
                f"cannot connect to {target.describe()}: {redact(str(err).strip().splitlines()[0])}"
            ) from err
        self.connection.autocommit = True
        # Naive UTC timestamps everywhere, as in DuckDB; unqualified model names resolve in
        # the models' schema, as in DuckDB's `main` (the sync's own tables are qualified).
        self.execute("set time zone 'UTC'")
        self.execute(f'set search_path to "{target.schema}", public')

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        try:
            with self.connection.cursor() as cur:
                if params:
                    cur.execute(to_pyformat(sql), list(params))
                else:
                    cur.execute(sql)
                return Result(
                    [tuple(d) for d in cur.description] if cur.description else None,
                    cur.fetchall() if cur.description else [],
                )
        except psycopg2.Error as err:
            raise _error(err) from err

    def bulk(self, sql: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        spec = [c.split(":") for c in columns.split()]
        self.execute("drop table if exists _bulk")
        self.execute(
            "create temporary table _bulk ("
            + ", ".join(f"{name} {_PG_TYPES[kind]}" for name, kind in spec)
            + ")"
        )
        try:
            self.copy_in("_bulk", [name for name, _ in spec], rows)
            self.execute(sql)
        finally:
            self.execute("drop table if exists _bulk")

    def copy_in(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        stream = _CopyStream(rows)
        try:
            with self.connection.cursor() as cur:
                cur.copy_expert(f"copy {table} ({', '.join(columns)}) from stdin", stream)
        except psycopg2.Error as err:
            raise _error(err) from err
        return stream.count

    def close(self) -> None:
        self.connection.close()


def use_session_defaults() -> None:
    """Make dbt's PostgreSQL sessions in this process use `PG_SESSION_OPTIONS` too (libpq
    reads PGOPTIONS), unless PGOPTIONS is already set."""
    os.environ.setdefault("PGOPTIONS", PG_SESSION_OPTIONS)


def open_store(target: StorageTarget | Path, read_only: bool = False) -> Store:
    """Connect to the warehouse: a target, or a path meaning the selected target (the DuckDB
    file at that path on a duckdb target; `storage_target`)."""
    if isinstance(target, Path | str):
        target = storage_target(Path(target))
    if isinstance(target, DuckDBTarget):
        return DuckDBStore(target, read_only=read_only)
    return PostgresStore(target)
