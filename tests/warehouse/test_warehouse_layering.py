"""The dbt project's layers only flow forward, read from dbt's own manifest.

dbt packages (dbt-project-evaluator and the like) cannot be installed here, so this is the
small check they would make, over `target/manifest.json` from a `dbt parse`. The layers, in
the order a row flows (docs/architecture.md):

    base (models/staging/<source>/base/) -> staging -> intermediate -> marts -> segments
    -> mailchimp (the sync's desired state)

- no model reads a model of a later layer (a mart is never an input to intermediate, the
  segments never feed back into marts);
- staging models read only the base layer, never each other, and only staging reads the base
  layer: the per-kind staging models are the one exit from staging;
- every per-kind spreadsheet staging model reaches identity (the union that every accepted row
  passes through);
- every model has a description;
- no macro calls `ref()` (macros return SQL; models own their edges), generic tests aside.

Deliberate cases are listed below, each with its reason. An entry that no longer matches
anything fails the test too, so the list only shrinks.
"""

from __future__ import annotations

import re

import pytest
from warehouse_build import Warehouse, make_warehouse

from sync.warehouse.project import PROJECT_DIR, SAMPLE_RAW_DIR

LAYERS = ("base", "staging", "intermediate", "marts", "segments", "mailchimp")

# (reader, read) -> why a model reads one of a later layer
READS_LATER_LAYER: dict[tuple[str, str], str] = {}

# (reader, read) -> why a model outside staging reads the base layer
READS_BASE = {
    **{
        ("source_files", base): (
            "the load report describes the engine itself: every file, readable or not, with "
            "its headers, missing columns, layout notes and row counts"
        )
        for base in (
            "base_spreadsheets__files",
            "base_spreadsheets__headers",
            "base_spreadsheets__missing_columns",
            "base_spreadsheets__rows",
            "base_spreadsheets__file_layouts",
            "base_spreadsheets__decimal_separators",
        )
    },
    ("rejected_rows", "base_spreadsheets__rows"): (
        "rejected rows never reach the per-kind staging models; the audit mart lists them with "
        "their reasons"
    ),
}

# the per-kind staging models identity unions (macros/staging/kind_models.sql); the others
# are not rows of a kind
NOT_A_KIND = {"stg_spreadsheets__files": "the files themselves, one row per file"}

# macro -> why it may call ref()
MACROS_WITH_REF = {
    "test_engage_only_emailable_supporters": "a generic data test reads the model it checks",
}

_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
_REF_CALL = re.compile(r"\bref\s*\(")
# string literals (an error message may show the ref() line to add): double-quoted first, as
# they hold single quotes; a real call keeps its `ref(` once its argument is removed
_STRINGS = (re.compile(r'"[^"\n]*"'), re.compile(r"'[^'\n]*'"))


def _code(macro_sql: str) -> str:
    code = _COMMENT.sub("", macro_sql)
    for literal in _STRINGS:
        code = literal.sub("", code)
    return code


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    warehouse: Warehouse = make_warehouse(tmp_path_factory.mktemp("layering"), SAMPLE_RAW_DIR)
    outcome = warehouse.dbt("parse")
    assert outcome.success, outcome.error
    return warehouse.manifest


def _models(manifest: dict) -> dict[str, dict]:
    return {
        key: node
        for key, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "engage"
    }


def _layer(node: dict) -> str:
    parts = node["original_file_path"].split("/")
    if parts[0] != "models" or parts[1] not in LAYERS[1:]:
        raise AssertionError(
            f"{node['original_file_path']}: a model outside models/{{{','.join(LAYERS[1:])}}}"
        )
    return "base" if "base" in parts[2:-1] else parts[1]


def _reads(manifest: dict) -> list[tuple[dict, dict]]:
    models = _models(manifest)
    return [
        (node, models[dep])
        for node in models.values()
        for dep in node["depends_on"]["nodes"]
        if dep in models
    ]


def _check(found: set, allowed: dict, what: str) -> None:
    unexpected = sorted(found - set(allowed))
    stale = sorted(set(allowed) - found)
    assert not unexpected, f"{what}: {unexpected} (fix the model, or list it with a reason)"
    assert not stale, f"{what}: {stale} no longer happen; remove them from the exceptions"


def test_no_model_reads_a_later_layer(manifest):
    found = {
        (reader["name"], read["name"])
        for reader, read in _reads(manifest)
        if LAYERS.index(_layer(read)) > LAYERS.index(_layer(reader))
    }
    _check(found, READS_LATER_LAYER, "models reading a later layer")


def test_staging_reads_only_the_base_layer(manifest):
    found = sorted(
        (reader["name"], read["name"])
        for reader, read in _reads(manifest)
        if _layer(reader) == "staging" and _layer(read) == "staging"
    )
    assert not found, f"staging models reading other staging models: {found}"


def test_only_staging_reads_the_base_layer(manifest):
    found = {
        (reader["name"], read["name"])
        for reader, read in _reads(manifest)
        if _layer(read) == "base" and _layer(reader) not in ("base", "staging")
    }
    _check(found, READS_BASE, "models outside staging reading the base layer")


def test_every_kind_reaches_identity(manifest):
    models = _models(manifest)
    kinds = {
        node["name"]
        for node in models.values()
        if node["name"].startswith("stg_spreadsheets__") and node["name"] not in NOT_A_KIND
    }
    (records,) = (node for node in models.values() if node["name"] == "int_identity__records")
    unioned = {dep.split(".")[-1] for dep in records["depends_on"]["nodes"]}
    missing = sorted(kinds - unioned)
    assert not missing, (
        f"per-kind staging models identity never reads: {missing}; add them to "
        "macros/staging/kind_models.sql"
    )


def test_every_model_is_described(manifest):
    undescribed = sorted(
        node["original_file_path"]
        for node in _models(manifest).values()
        if not node["description"].strip()
    )
    assert not undescribed, f"models without a description in their folder's YAML: {undescribed}"


def test_macros_return_sql_without_ref(manifest):
    found = {
        macro["name"]
        for macro in manifest["macros"].values()
        if macro["package_name"] == "engage" and _REF_CALL.search(_code(macro["macro_sql"]))
    }
    _check(found, MACROS_WITH_REF, "macros calling ref()")


ROW_WALK = PROJECT_DIR / "docs" / "architecture.md"
_BACKTICKED = re.compile(r"`([a-z][a-z0-9_]*)`")


def test_the_row_walk_lists_every_model_once_in_graph_order(manifest):
    text = ROW_WALK.read_text()
    start = text.index("## The row-walk")
    section = text[start : text.index("\n## ", start + 1)]
    models = {node["name"]: node for node in _models(manifest).values()}
    walk = [name for name in _BACKTICKED.findall(section) if name in models]
    repeated = sorted({name for name in walk if walk.count(name) > 1})
    missing = sorted(set(models) - set(walk))
    assert not repeated, f"docs/architecture.md row-walk names these models twice: {repeated}"
    assert not missing, f"docs/architecture.md row-walk misses these models: {missing}"
    position = {name: i for i, name in enumerate(walk)}
    backwards = sorted(
        (reader, read["name"])
        for reader in walk
        for read in (
            models[dep.split(".")[-1]]
            for dep in models[reader]["depends_on"]["nodes"]
            if dep.split(".")[-1] in models and dep.startswith("model.")
        )
        if position[read["name"]] > position[reader]
    )
    assert not backwards, (
        f"docs/architecture.md row-walk lists a model before one it reads: {backwards}"
    )
