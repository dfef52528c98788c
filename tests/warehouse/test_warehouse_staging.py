"""Reading spreadsheets: conservation per file, rejects with reasons, duplicates counted once,
a clear error for a file without its email column, every canonical column exposed and
documented, and every warehouse dbt test passing on the sample set."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from warehouse_build import Warehouse, make_warehouse
from warehousetest_helpers import NO_TESTS, WAREHOUSE_SELECT, build_layers, copy_tiny, write_csv

from sync.warehouse.project import PROJECT_DIR
from sync.warehouse.report import quarantined_files

MY_MODEL_DIRS = (
    "models/staging/",
    "models/intermediate/identity/",
    "models/intermediate/consent/",
    "models/marts/core/",
)
MY_TEST_DIRS = ("tests/dbt/normalise/", "tests/dbt/warehouse/")


def _built(warehouse: Warehouse) -> Warehouse:
    failed = warehouse.failures("stg_spreadsheets", "source_files", "rejected_rows")
    assert not failed, [(f.name, f.message) for f in failed]
    return warehouse


def _row_key(row: dict) -> tuple[str, int, str]:
    return row["file"].removeprefix("raw/"), int(row["row_number"]), row.get("sheet") or ""


def _reason(warehouse: Warehouse, row: dict) -> str | None:
    rows = warehouse.query(
        "select reject_reason from base_spreadsheets__rows "
        "where file_path = ? and row_number = ? and coalesce(sheet_name, '') = ?",
        list(_row_key(row)),
    )
    assert rows, f"row not read: {row}"
    return rows[0][0]


def test_every_file_conserves_its_rows(built_warehouse):
    warehouse = _built(built_warehouse)
    files = warehouse.query(
        "select f.file_path, f.file_id, f.rows_read, f.rows_accepted, f.rows_rejected, "
        "(select count(*) from rejected_rows r where r.file_id = f.file_id) "
        "from source_files f"
    )
    raw_rows = dict(
        duckdb.sql(
            f"select file_id, count(distinct row_number) from read_parquet("
            f"'{warehouse.db_path}.ingest/rows/*/*.parquet', union_by_name = true, "
            "hive_partitioning = false) group by file_id"
        ).fetchall()
    )
    assert len(files) > 20
    for path, file_id, read, accepted, rejected, listed in files:
        assert read == accepted + rejected, path
        assert rejected == listed, path
        assert raw_rows.get(file_id, 0) == read, path
    total_read = sum(f[2] for f in files)
    staged = warehouse.scalar("select count(*) from base_spreadsheets__rows")
    assert staged == total_read


def test_files_in_unknown_folders_are_rejected_row_by_row(tiny: Warehouse):
    assert tiny.query(
        "select is_known_kind, rows_read, rows_accepted, rows_rejected from source_files "
        "where file_path = 'misc/notes.csv'"
    ) == [(False, 1, 0, 1)]
    assert tiny.query("select reason from rejected_rows where file_path = 'misc/notes.csv'") == [
        ("unknown_kind",)
    ]
    unbalanced = tiny.query(
        "select file_path from source_files where rows_read <> rows_accepted + rows_rejected"
    )
    assert unbalanced == []


def test_reuploaded_file_counts_once(built_warehouse, planted_cases):
    warehouse = _built(built_warehouse)
    case = planted_cases["cases"]["reuploaded_file"]
    copy = case["copy"].removeprefix("raw/")
    original = case["original"].removeprefix("raw/")
    ((rows_read, rows_rejected, duplicate_of),) = warehouse.query(
        "select rows_read, rows_rejected, duplicate_of_file_path from source_files "
        "where file_path = ?",
        [copy],
    )
    assert rows_read > 0 and rows_rejected == rows_read and duplicate_of == original
    reasons = warehouse.query(
        "select distinct reason from rejected_rows where file_path = ?", [copy]
    )
    assert reasons == [("duplicate_file",)]
    assert (
        warehouse.scalar("select rows_rejected from source_files where file_path = ?", [original])
        < rows_read
    )


def test_exact_duplicate_rows_count_once(built_warehouse, planted_cases):
    warehouse = _built(built_warehouse)
    for row in planted_cases["cases"]["exact_duplicate_row"]["rows"]:
        expected = None if row["copy"] == "first" else "duplicate_row"
        assert _reason(warehouse, row) == expected, row


def test_invalid_emails_are_never_used_and_the_row_falls_back_to_its_phone(
    built_warehouse, planted_cases
):
    """An invalid address is never an email; the row is rejected with the value unless it
    has a phone, which still reaches and matches the person (the row is kept, email null)."""
    warehouse = _built(built_warehouse)
    outcomes = set()
    for row in planted_cases["cases"]["invalid_email"]["rows"]:
        ((reason, email, phone),) = warehouse.query(
            "select reject_reason, email, phone from base_spreadsheets__rows "
            "where file_path = ? and row_number = ? and coalesce(sheet_name, '') = ?",
            list(_row_key(row)),
        )
        assert email is None, row
        detail = warehouse.query(
            "select detail from rejected_rows where file_path = ? and row_number = ? "
            "and coalesce(sheet_name, '') = ?",
            list(_row_key(row)),
        )
        if phone is None:
            assert reason == "invalid_email", row
            assert detail == [(row["raw_email"],)]
        else:
            assert (reason, detail) == (None, []), row
        outcomes.add(phone is None)
    assert outcomes == {True, False}, "the sample should plant both cases"
    raw_emails = [r["raw_email"] for r in planted_cases["cases"]["invalid_email"]["rows"]]
    assert not warehouse.query(
        "select identifier_value from supporter_identifiers where identifier_value in "
        f"({', '.join('?' for _ in raw_emails)})",
        raw_emails,
    )


def test_mojibake_and_windows_1252_names_arrive_clean(built_warehouse, planted_cases):
    warehouse = _built(built_warehouse)
    for row in planted_cases["cases"]["mojibake_name"]["rows"]:
        first, last = row["real_name"].split(" ", 1)
        names = warehouse.query(
            "select first_name, last_name from base_spreadsheets__rows "
            "where file_path = ? and row_number = ?",
            list(_row_key(row))[:2],
        )
        assert names == [(first, last)]
    accented = planted_cases["cases"]["windows_1252_file"]
    stored = {
        f"{first} {last}"
        for first, last in warehouse.query(
            "select first_name, last_name from base_spreadsheets__rows where file_path = ?",
            [accented["file"].removeprefix("raw/")],
        )
    }
    assert set(accented["accented_names"]) <= stored


def test_unknown_headers_are_counted_not_fatal(built_warehouse):
    warehouse = _built(built_warehouse)
    rows = warehouse.query(
        "select unknown_columns, unknown_headers from source_files "
        "where file_path like 'mailchimp_members/subscribed%'"
    )
    assert rows and rows[0][0] >= 1 and "MMERGE5" in rows[0][1]


def test_every_canonical_column_is_exposed_and_documented(built_warehouse):
    warehouse = _built(built_warehouse)
    kinds = {
        r["kind"]: r["staging_model"]
        for r in csv.DictReader((PROJECT_DIR / "seeds" / "spreadsheet_kinds.csv").open())
    }
    canonical: dict[str, set[str]] = {kind: set() for kind in kinds}
    for r in csv.DictReader((PROJECT_DIR / "seeds" / "canonical_columns.csv").open()):
        for kind in kinds if r["kind"] == "*" else [r["kind"]]:
            canonical[kind].add(r["column_name"])
    nodes = {
        n["name"]: n for n in warehouse.manifest["nodes"].values() if n["resource_type"] == "model"
    }
    for kind, model in kinds.items():
        actual = {
            c
            for (c,) in warehouse.query(
                "select column_name from information_schema.columns where table_name = ?", [model]
            )
        }
        assert canonical[kind] <= actual, (model, canonical[kind] - actual)
        documented = set(nodes[model]["columns"])
        assert actual == documented, (model, actual ^ documented)


def test_every_warehouse_model_and_column_is_documented(built_warehouse):
    warehouse = _built(built_warehouse)
    for node in warehouse.manifest["nodes"].values():
        if node["resource_type"] != "model" or not node["original_file_path"].startswith(
            MY_MODEL_DIRS
        ):
            continue
        assert node["description"].strip(), node["name"]
        actual = {
            c
            for (c,) in warehouse.query(
                "select column_name from information_schema.columns where table_name = ?",
                [node["name"]],
            )
        }
        assert actual, node["name"]
        missing = {
            c for c in actual if not node["columns"].get(c, {}).get("description", "").strip()
        }
        assert not missing, (node["name"], missing)
        folder = Path(node["original_file_path"]).parent
        assert len(list((PROJECT_DIR / folder).glob("_*.yml"))) >= 1, folder


def test_every_relation_name_fits_postgres(built_warehouse):
    """Postgres truncates nothing: a model, seed, snapshot or unit test (dbt names the unit
    test's temporary relation after it) over 63 characters fails the portability build. Caught
    here so a DuckDB-only run finds it too."""
    manifest = built_warehouse.manifest
    nodes = [*manifest["nodes"].values(), *manifest.get("unit_tests", {}).values()]
    too_long = sorted(
        (n["name"], len(n["name"]))
        for n in nodes
        if n["resource_type"] in ("model", "seed", "snapshot", "unit_test") and len(n["name"]) > 63
    )
    assert not too_long, f"rename to 63 characters or fewer: {too_long}"


def test_every_warehouse_dbt_test_passes_on_the_sample(built_warehouse):
    """dbt's own tests (data, unit, singular) on the warehouse layers, from the shared build."""
    warehouse = built_warehouse
    manifest = warehouse.manifest
    mine = {
        n["unique_id"]: n["name"]
        for n in [*manifest["nodes"].values(), *manifest.get("unit_tests", {}).values()]
        if n["resource_type"] in ("test", "unit_test")
        and (
            n["original_file_path"].startswith(MY_TEST_DIRS + MY_MODEL_DIRS)
            or any(
                manifest["nodes"]
                .get(dep, {})
                .get("original_file_path", "")
                .startswith(MY_MODEL_DIRS)
                for dep in n.get("depends_on", {}).get("nodes", [])
            )
        )
    }
    assert len(mine) > 200
    ran = {node.name: node.status for node in warehouse.outcome.nodes}
    not_passed = {name: ran.get(name) for name in mine.values() if ran.get(name) != "pass"}
    assert not not_passed


def test_a_file_without_its_email_column_is_quarantined_with_the_fix(tmp_path):
    """One file whose email header is not understood never stops the night: its rows are
    rejected with the reason, source_files names it with the alias row to add (the unknown
    column whose values look like emails), and every other file loads."""
    raw = tmp_path / "raw"
    write_csv(
        raw / "petitions" / "march_signers.csv",
        ["Name", "Notes", "E-mail addr.", "Zip"],
        [
            ["Ana Reyes", "call back", "ana@example.org", "02116"],
            ["Bo Fixture", "", "bo@example.org", "61101"],
        ],
    )
    write_csv(raw / "contacts" / "ok.csv", ["Email"], [["ok@example.org"]])
    warehouse = make_warehouse(tmp_path / "wh", raw)
    outcome = warehouse.dbt("build", *WAREHOUSE_SELECT, *NO_TESTS)
    assert outcome.success, outcome.failures
    [(path, reason)] = warehouse.query(
        "select file_path, quarantine_reason from source_files where quarantine_reason is not null"
    )
    assert path == "petitions/march_signers.csv"
    assert 'no "email" column' in reason
    assert "headers found: Name | Notes | E-mail addr. | Zip" in reason
    assert "seeds/header_aliases.csv: petitions,e_mail_addr,email,1" in reason
    assert warehouse.query(
        "select reason, count(*) from rejected_rows where file_path = ? group by reason",
        ["petitions/march_signers.csv"],
    ) == [("missing_required_column", 2)]
    assert warehouse.query(
        "select rows_read, rows_accepted from source_files where file_path = 'contacts/ok.csv'"
    ) == [(1, 1)]
    assert warehouse.query("select count(*) from supporters") == [(1,)]
    assert quarantined_files(warehouse.db_path) == [("petitions/march_signers.csv", reason)]


def test_folder_settings_and_file_names_shape_the_values(built_warehouse):
    """consultations/ is day-first and GB in seeds/file_settings.csv; Mailchimp per-campaign
    exports name their campaign only in the file name."""
    warehouse = _built(built_warehouse)
    cardiff = "consultations/cardiff_renters_charter_consultation.csv"
    with (PROJECT_DIR / "sample_data" / "raw" / cardiff).open(encoding="utf-8") as fh:
        raw_submitted = list(csv.DictReader(fh))[1]["Submitted"]
    assert raw_submitted == "02/06/2026 13:53"
    assert warehouse.query(
        "select f.day_first, f.default_country, cast(c.occurred_at as varchar) "
        "from stg_spreadsheets__consultation_responses c join base_spreadsheets__files f "
        "using (file_id) where c.file_path = ? and c.row_number = 3",
        [cardiff],
    ) == [(True, "GB", "2026-06-02 13:53:00")]
    clicked = "email_activity/clicked_2025-06-12_clean-air-schools-launch.csv"
    assert warehouse.query(
        "select distinct campaign_name from stg_spreadsheets__email_activity where file_path = ?",
        [clicked],
    ) == [("clean-air-schools-launch",)]


def test_a_file_setting_changes_dates_and_phones_of_that_file_only(tiny: Warehouse, tmp_path):
    """A row of seeds/file_settings.csv for one file reads its dates day-first and its phones
    in its country; the same values in a file without a setting stay month-first and US."""
    warehouse = copy_tiny(tiny, tmp_path / "settings").on_project_copy(tmp_path / "settings")
    with (warehouse.project_dir / "seeds" / "file_settings.csv").open("a") as fh:
        fh.write("contacts/uk_street_list.csv,true,GB,a test file,\n")  # no decimal_separator
    for name in ("uk_street_list.csv", "us_street_list.csv"):
        write_csv(
            warehouse.raw_dir / "contacts" / name,
            ["Email", "Mobile", "Date registered"],
            [[f"{name[:2]}.signer@example.org", "07700 900456", "02/06/2026 13:53"]],
        )
    build_layers(warehouse)
    rows = warehouse.query(
        "select file_path, phone, cast(occurred_at as varchar) from stg_spreadsheets__contacts "
        "where file_path like 'contacts/u%_street_list.csv' order by file_path"
    )
    assert rows == [
        ("contacts/uk_street_list.csv", "+447700900456", "2026-06-02 13:53:00"),
        ("contacts/us_street_list.csv", None, "2026-02-06 13:53:00"),
    ]


@pytest.mark.parametrize(
    "seed", ["header_aliases", "canonical_columns", "file_name_rules", "file_settings"]
)
def test_seeds_parse_as_csv_with_a_consistent_width(seed: str):
    rows = list(csv.reader((PROJECT_DIR / "seeds" / f"{seed}.csv").open()))
    assert rows and all(len(r) == len(rows[0]) for r in rows)


def test_rows_nobody_can_reach_or_match_are_rejected_and_junk_emails_fall_back_to_the_phone(
    tiny: Warehouse, tmp_path
):
    """A petition row with only a phone is kept (identity can attach it); junk in the email
    cell with a phone is kept without the email; junk without a phone is invalid_email; a
    first name alone is no_contact, a full name with a postcode is kept (it can match); a
    Mailchimp export row with a blank email is missing_email, even with a name, because that
    kind is keyed on email (seeds/spreadsheet_kinds.csv)."""
    warehouse = copy_tiny(tiny, tmp_path / "ids").on_project_copy(tmp_path / "ids")
    write_csv(
        warehouse.raw_dir / "petitions" / "no_ids.csv",
        ["Email", "First name", "Last name", "Phone", "Zip", "Comment"],
        [
            ["", "", "", "(415) 555-0199", "", "phone only"],
            ["", "", "", "", "", "nothing but a comment"],
            ["n/a", "Jo", "Turner", "(415) 555-0142", "", "junk email, a phone"],
            ["jturner@", "Jo", "Turner", "", "", "junk email, no phone"],
            ["refused", "Sam", "", "", "", "first name only"],
            ["", "Kim", "Okafor", "", "94110", "full name and a ZIP"],
        ],
    )
    write_csv(
        warehouse.raw_dir / "mailchimp_members" / "subscribed_members_export_x.csv",
        ["Email Address", "First Name", "Last Name"],
        [["", "Ada", "Lovelace"], ["ada@example.org", "Ada", "Lovelace"]],
    )
    build_layers(warehouse)
    reasons = warehouse.query(
        "select file_path, row_number, reject_reason, email from base_spreadsheets__rows "
        "where file_path in ('petitions/no_ids.csv', "
        "'mailchimp_members/subscribed_members_export_x.csv') order by 1, 2"
    )
    assert reasons == [
        ("mailchimp_members/subscribed_members_export_x.csv", 2, "missing_email", None),
        ("mailchimp_members/subscribed_members_export_x.csv", 3, None, "ada@example.org"),
        ("petitions/no_ids.csv", 2, None, None),
        ("petitions/no_ids.csv", 3, "no_contact", None),
        ("petitions/no_ids.csv", 4, None, None),
        ("petitions/no_ids.csv", 5, "invalid_email", None),
        ("petitions/no_ids.csv", 6, "no_contact", None),
        ("petitions/no_ids.csv", 7, None, None),
    ]
    assert warehouse.query(
        "select reason, count(*) from rejected_rows where file_path in "
        "('petitions/no_ids.csv', 'mailchimp_members/subscribed_members_export_x.csv') "
        "group by 1 order by 1"
    ) == [("invalid_email", 1), ("missing_email", 1), ("no_contact", 2)]
