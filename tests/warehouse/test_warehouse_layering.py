"""The dbt project's layers only flow forward, read from dbt's own manifest.

dbt packages (dbt-project-evaluator and the like) cannot be installed here, so this is the
small check they would make, over `target/manifest.json` from a `dbt parse`:

- an intermediate model never reads a mart (marts publish; they are not inputs again);
- a staging model never reads another staging model, except the generic spreadsheet engine
  (the `base` layer);
- every model has a description;
- no macro calls `ref()` (macros return SQL; models own their edges), generic tests aside.

Deliberate or not-yet-fixed cases are listed below, each with its reason. An entry that no
longer matches anything fails the test too, so the list only shrinks.
"""

from __future__ import annotations

import re

import pytest
from warehouse_build import Warehouse, make_warehouse

from sync.warehouse.project import SAMPLE_RAW_DIR

LAYERS = ("staging", "intermediate", "marts", "segments")

# (reader, read) -> why an intermediate model reads a mart
INTERMEDIATE_READS_MART = {
    **{
        (reader, mart): (
            "segment inputs are the published supporter marts; issue 18 gives segments their "
            "own layer after the marts"
        )
        for reader in ("int_segment_catalogue",)
        for mart in (
            "supporters",
            "supporter_engagement",
            "supporter_top_issue",
            "supporter_issue_interest",
            "engagement_events",
            "supporter_propensity",
        )
    },
    ("int_segment_memberships_decided", "supporters"): (
        "segment decisions read the published supporters; issue 18 gives segments their own "
        "layer after the marts"
    ),
}

# staging models other staging models may read: the generic spreadsheet engine (one row per
# raw cell, the file inventory, the header map) that issue 18 moves into the `base` layer
STAGING_ENGINE = {
    "stg_spreadsheets__rows": "the generic cell rows every per-kind model pivots",
    "stg_spreadsheets__files": "the file inventory (kind, settings, file-name attributes)",
    "stg_spreadsheets__headers": "the header-to-column map per file",
    "stg_spreadsheets__missing_columns": "the required columns a file lacks",
    "stg_spreadsheets__file_layouts": (
        "per-file layout facts (a Mailchimp export's status from its columns, repeated headers)"
    ),
    "stg_spreadsheets__country_aliases": "the country names, generated and local, in one lookup",
    "stg_spreadsheets__decimal_separators": "each file's decimal separator, configured or detected",
}

# macro -> why it may call ref()
MACROS_WITH_REF = {
    "test_engagement_only_emailable_supporters": "a generic data test reads the model it checks",
    "engage_kind_columns_sql": (
        "per-kind staging reads the seeds that describe its columns; issue 18 moves the "
        "ref() into the models"
    ),
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
    if parts[0] != "models" or parts[1] not in LAYERS:
        raise AssertionError(
            f"{node['original_file_path']}: a model outside models/{{{','.join(LAYERS)}}}"
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


def test_intermediate_models_never_read_marts(manifest):
    found = {
        (reader["name"], read["name"])
        for reader, read in _reads(manifest)
        if _layer(reader) == "intermediate" and _layer(read) == "marts"
    }
    _check(found, INTERMEDIATE_READS_MART, "intermediate models reading marts")


def test_staging_reads_staging_only_through_the_engine(manifest):
    found = {
        read["name"]
        for reader, read in _reads(manifest)
        if _layer(reader) in ("staging", "base") and _layer(read) == "staging"
    }
    _check(found, STAGING_ENGINE, "staging models read by other staging models")


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
