"""The segment catalogue as a step of a job: `engage catalogue`, `engage demo` and the nightly.

Owns where the catalogue goes (`--out`, else $ENGAGE_CATALOGUE_DIR, else `catalogue` next to
the warehouse file) and what it is given: the built warehouse, dbt's manifest and the merge
fields the exposures declare. The site itself is `sync.warehouse.catalogue`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sync.errors import ConfigError
from sync.mailchimp.exposures import load_audiences, manifest_path_default
from sync.warehouse.catalogue import CatalogueSite, MergeFieldInput, build_catalogue
from sync.warehouse.project import Settings
from sync.warehouse.storage import storage_target


def default_out(settings: Settings) -> Path:
    """$ENGAGE_CATALOGUE_DIR, else `catalogue` beside the warehouse file."""
    configured = os.environ.get("ENGAGE_CATALOGUE_DIR")
    return Path(configured) if configured else settings.duckdb_path.parent / "catalogue"


@dataclass
class CatalogueResult:
    site: CatalogueSite
    warnings: list[str] = field(default_factory=list)


def merge_field_inputs(manifest_path: Path) -> list[MergeFieldInput]:
    """Every merge field the exposures in the manifest declare (ConfigError if none can be
    read)."""
    return [
        MergeFieldInput(
            audience=audience.key,
            tag=mf.tag,
            name=mf.display_name,
            type=mf.type,
            column=mf.column,
            relation_sql=audience.members_relation.sql,
            members_filter=audience.spec.members.filter,
            choices=tuple(mf.choices or ()),
        )
        for audience in load_audiences(manifest_path)
        for mf in audience.spec.merge_fields
    ]


def write_catalogue(
    db: Path | None = None, out: Path | None = None, manifest: Path | None = None
) -> CatalogueResult:
    """The catalogue of the warehouse (the DuckDB file `db`, default the project's, or the
    selected target's database) written to `out`.
    A missing or unreadable manifest leaves out the SQL and the merge fields, with a warning;
    a warehouse that is not built raises ConfigError."""
    settings = Settings.from_env(duckdb_path=db)
    manifest_path = manifest or manifest_path_default()
    warnings: list[str] = []
    fields: list[MergeFieldInput] = []
    if manifest_path.exists():
        try:
            fields = merge_field_inputs(manifest_path)
        except ConfigError as err:
            warnings.append(f"merge fields left out: {err}")
    else:
        warnings.append(
            f"no dbt manifest at {manifest_path}: segment SQL and merge fields left out "
            "(run `engage build`)"
        )
    site = build_catalogue(
        storage_target(settings.duckdb_path, settings.target),
        (out or default_out(settings)).expanduser().resolve(),
        manifest_path if manifest_path.exists() else None,
        fields,
    )
    return CatalogueResult(site, warnings)
