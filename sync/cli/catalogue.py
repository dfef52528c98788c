"""`engage catalogue`: write the segment catalogue, a static site for marketers
(`sync.warehouse.catalogue`), with the merge fields the exposures declare."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from sync.cli.exits import EXIT_CONFIG, EXIT_OK
from sync.cli.options import DbPathOpt, JsonOpt, ManifestOpt
from sync.cli.output import console
from sync.errors import ConfigError
from sync.mailchimp.exposures import load_audiences, manifest_path_default
from sync.warehouse.catalogue import CatalogueSite, MergeFieldInput, build_catalogue
from sync.warehouse.project import PROJECT_DIR, Settings

DEFAULT_OUT = PROJECT_DIR / "target" / "catalogue"


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
    """The catalogue of the warehouse `db` (default: the project's) written to `out`.
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
        settings.duckdb_path,
        (out or DEFAULT_OUT).expanduser().resolve(),
        manifest_path if manifest_path.exists() else None,
        fields,
    )
    return CatalogueResult(site, warnings)


def catalogue(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to write the site to (default: target/catalogue)."),
    ] = None,
    db: DbPathOpt = None,
    manifest: ManifestOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the segment catalogue: a static site a marketer opens in a browser.

    Reads the built warehouse (read-only) and dbt's manifest and writes plain HTML to --out:
    index.html lists every segment (tag, what it means, size today, change since the previous
    build, a 90-day trend, priority, held-out counts by reason, its issue, when the sync last
    ran); segments/<tag>.html shows one segment (definition, its SQL, sizes over time, how many
    are over the contact cap, overlap with other segments); merge-fields.html lists the merge
    fields the exposures declare with ready-to-paste conditional-content snippets. Counts only:
    no page carries an e-mail address. Open index.html in any browser; no server needed.
    Exit 2 when the warehouse has not been built (run `engage build` or `engage demo`).
    """
    try:
        result = write_catalogue(db, out, manifest)
    except ConfigError as err:
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "command": "catalogue",
                        "status": "config",
                        "success": False,
                        "error": str(err),
                    },
                    separators=(",", ":"),
                )
            )
        console.print(f"[red]{err}[/]")
        raise typer.Exit(EXIT_CONFIG) from err
    for warning in result.warnings:
        console.print(f"[yellow]{warning}[/]")
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "command": "catalogue",
                    "status": "ok",
                    "success": True,
                    "warnings": result.warnings,
                    **result.site.as_dict(),
                },
                separators=(",", ":"),
                default=str,
            )
        )
    else:
        typer.echo(f"Segment catalogue written: {result.site.index}")
    raise typer.Exit(EXIT_OK)
