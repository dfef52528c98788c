"""dbt's Jinja context for SQLFluff's jinja templater (`library_path` in `.sqlfluff`).

SQLFluff's `apply_dbt_builtins` supplies `ref`, `source`, `config`, `this` and
`is_incremental`; the project's SQL also calls dbt's cross-database macros
(`dbt.type_string()`, `dbt.concat(...)`), dispatches its own macros with `adapter.dispatch`,
and reads `var`, `execute`, `graph`, `modules`, `run_started_at` and friends. This package
supplies those the way dbt-duckdb renders them while dbt parses a project: `execute` is false,
so no query runs and no warehouse is needed. Every public name here is a Jinja global when
SQLFluff renders a file; the SQL they return is templated code, which SQLFluff parses but
never reports on nor rewrites.
"""

from __future__ import annotations

import datetime as _datetime
import os as _os
import re as _re
import sys as _sys
from pathlib import Path as _Path
from types import SimpleNamespace as _Namespace
from typing import Any as _Any

import yaml as _yaml
from jinja2 import pass_context as _pass_context

_PROJECT_DIR = _Path(__file__).resolve().parents[2]
_VARS: dict[str, _Any] = (
    _yaml.safe_load((_PROJECT_DIR / "dbt_project.yml").read_text()).get("vars") or {}
)
_ADAPTER_TYPE = "duckdb"

# SQLFluff lints in spawned worker processes, which start with Python's default recursion limit
# (1000) whatever --recursion-limit says; parsing the deepest macro output (engage_fix_mojibake
# nests 26 replace() calls: max_parse_depth in .sqlfluff) needs more. Every worker imports this
# module before it parses.
_sys.setrecursionlimit(max(_sys.getrecursionlimit(), 20000))


class _CompilerError(Exception):
    """What dbt's exceptions.raise_compiler_error raises: SQLFluff reports it for the file."""


def var(name: str, default: _Any = None) -> _Any:
    """dbt's var(): the value in dbt_project.yml, else the default (dbt would fail on neither)."""
    if name in _VARS:
        return _VARS[name]
    return name if default is None else default


def env_var(name: str, default: str | None = None) -> str:
    return _os.environ.get(name, default if default is not None else "")


def log(msg: _Any, info: bool = False) -> str:
    return ""


# As while dbt parses a project: `{% if execute %}` blocks (the queries macros run against the
# warehouse, e.g. the header mapping of base_spreadsheets__rows) render their parse-time case.
# Rendering them with answers from the seeds instead was measured: 7 min CPU for the lint instead
# of 2.4 min, and base_spreadsheets__rows' full expansion beyond SQLFluff's parse limits.
execute = False
project_name = "engage"
invocation_id = "00000000-0000-0000-0000-000000000000"
run_started_at = _datetime.datetime(2026, 1, 1, tzinfo=_datetime.UTC)


def _exposures() -> dict[str, dict[str, _Any]]:
    """The project's exposures (the Mailchimp audiences) as graph.exposures holds them."""
    found: dict[str, dict[str, _Any]] = {}
    for path in sorted((_PROJECT_DIR / "models").rglob("*.yml")):
        for exposure in (_yaml.safe_load(path.read_text()) or {}).get("exposures") or []:
            node = dict(exposure, original_file_path=str(path.relative_to(_PROJECT_DIR)))
            found[f"exposure.{project_name}.{exposure['name']}"] = node
    return found


# Models are not listed (nodes): the segment union and catalogue render their no-segment case.
graph: dict[str, dict[str, _Any]] = {
    "nodes": {},
    "sources": {},
    "exposures": _exposures(),
    "metrics": {},
    "groups": {},
    "semantic_models": {},
    "saved_queries": {},
}
model = _Namespace(
    name="model", original_file_path="", depends_on=_Namespace(nodes=[], macros=[]), config={}
)
target = _Namespace(
    name="dev",
    type=_ADAPTER_TYPE,
    schema="main",
    database="engage",
    profile_name="engage",
    threads=2,
)
flags = _Namespace(WHICH="compile", FULL_REFRESH=False, STORE_FAILURES=False)
modules = _Namespace(re=_re, datetime=_datetime)


def _raise_compiler_error(msg: str, node: _Any = None) -> None:
    raise _CompilerError(msg)


exceptions = _Namespace(raise_compiler_error=_raise_compiler_error, warn=lambda msg, node=None: "")


class _Column:
    def __init__(self, values: list[_Any]) -> None:
        self._values = values

    def values(self) -> list[_Any]:
        return self._values


class _Result:
    """The little of agate.Table that the project's macros read: rows and columns' values."""

    def __init__(self, names: list[str], rows: list[tuple[_Any, ...]]) -> None:
        self.column_names = names
        self.rows = rows
        self.columns = [_Column([row[i] for row in rows]) for i in range(len(names))]


def run_query(sql: str) -> _Result:
    """dbt's run_query; with `execute` false only an unguarded call reaches it: no rows."""
    return _Result([], [])


def load_relation(relation: _Any) -> None:
    return None


class _Dbt:
    """dbt's cross-database macros (`dbt.<name>(...)`) as dbt-duckdb 1.11 renders them."""

    @staticmethod
    def type_string() -> str:
        return "varchar"

    @staticmethod
    def type_timestamp() -> str:
        return "timestamp"

    @staticmethod
    def type_bigint() -> str:
        return "bigint"

    @staticmethod
    def type_int() -> str:
        return "integer"

    @staticmethod
    def type_numeric() -> str:
        return "numeric(28, 6)"

    @staticmethod
    def type_float() -> str:
        return "double"

    @staticmethod
    def type_boolean() -> str:
        return "boolean"

    @staticmethod
    def concat(fields: list[str]) -> str:
        return " || ".join(fields)

    @staticmethod
    def listagg(
        measure: str,
        delimiter_text: str = "','",
        order_by_clause: str | None = None,
        limit_num: int | None = None,
    ) -> str:
        order_by = f" {order_by_clause}" if order_by_clause else ""
        return f"string_agg({measure}, {delimiter_text}{order_by})"

    @staticmethod
    def dateadd(datepart: str, interval: _Any, from_date_or_timestamp: str) -> str:
        return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"

    @staticmethod
    def datediff(first_date: str, second_date: str, datepart: str) -> str:
        return f"date_diff('{datepart}', {first_date}, {second_date})"

    @staticmethod
    def date_trunc(datepart: str, date: str) -> str:
        return f"date_trunc('{datepart}', {date})"

    @staticmethod
    def hash(field: str) -> str:
        return f"md5(cast({field} as varchar))"

    @staticmethod
    def escape_single_quotes(expression: str) -> str:
        return expression.replace("'", "''")

    @staticmethod
    def string_literal(value: str) -> str:
        return f"'{value}'"

    @staticmethod
    def bool_or(expression: str) -> str:
        return f"bool_or({expression})"

    @staticmethod
    def split_part(string_text: str, delimiter_text: str, part_number: _Any) -> str:
        return f"split_part({string_text}, {delimiter_text}, {part_number})"

    @staticmethod
    def safe_cast(field: str, type: str) -> str:
        return f"try_cast({field} as {type})"

    @staticmethod
    def current_timestamp() -> str:
        return "now()"


dbt = _Dbt()


class _Adapter:
    """dbt's `adapter` while parsing: dispatch finds the project's `duckdb__`/`default__`
    macro; relations are never found (nothing is queried)."""

    @staticmethod
    @_pass_context
    def dispatch(context: _Any, macro_name: str, macro_namespace: str | None = None) -> _Any:
        for prefix in (f"{_ADAPTER_TYPE}__", "default__"):
            macro = context.get(prefix + macro_name)
            if macro is not None:
                return macro
        return getattr(dbt, macro_name)

    @staticmethod
    def get_relation(database: _Any = None, schema: _Any = None, identifier: _Any = None) -> None:
        return None

    @staticmethod
    def get_columns_in_relation(relation: _Any) -> list[_Any]:
        return []

    @staticmethod
    def quote(identifier: str) -> str:
        return f'"{identifier}"'


adapter = _Adapter()


def _engage_regex_alternation(values: list[_Any]) -> str:
    """macros/normalise/flags.sql's private macro, which email.sql and status.sql call: Jinja
    keeps a name starting with `_` out of what SQLFluff loads from another file."""
    return "|".join(_re.escape(str(value).lower()).replace("'", "''") for value in values)
