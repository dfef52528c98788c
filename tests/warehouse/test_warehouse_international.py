"""International values end to end (docs/international.md): countries written any way, each
row's postcode and phone read in its country, and amounts read with the file's decimal
separator (configured, detected per file and column, or warned about when ambiguous).

One private copy of the tiny warehouse with the files below, built once for the module."""

from __future__ import annotations

import pytest
from warehouse_build import Warehouse
from warehousetest_helpers import build_layers, copy_tiny, write_csv

PEOPLE = [
    # email, country as written, postcode as written, phone as written (national)
    ("cl@example.org", "Chile", "8340457", "9 6123 4567"),
    ("be@example.org", "Belgique", "4030", "0470 12 34 56"),
    ("ae@example.org", "UAE", "", "050 123 4567"),
    ("de@example.org", "Deutschland", "10115", "030 12345678"),
    ("gb@example.org", "England", "cf564fg", "07700 900456"),
    ("us@example.org", "U.S.A.", "2116", "(617) 555-0199"),
    ("ca@example.org", "Canada", "h3z2y7", "416-555-0123"),
    ("nl@example.org", "Holland", "1234ab", "06 12345678"),
    ("au@example.org", "Australia", "2000", "0412 345 678"),
    ("ci@example.org", "Côte d'Ivoire", "", "+225 07 12 34 56 78"),
    ("tr@example.org", "Türkiye", "06100", "+90 312 123 45 67"),
]

EXPECTED = {
    "cl@example.org": ("CL", "8340457", "+56961234567"),
    "be@example.org": ("BE", "4030", "+32470123456"),
    "ae@example.org": ("AE", None, "+971501234567"),
    "de@example.org": ("DE", "10115", "+493012345678"),
    "gb@example.org": ("GB", "CF56 4FG", "+447700900456"),
    "us@example.org": ("US", "02116", "+16175550199"),
    "ca@example.org": ("CA", "H3Z 2Y7", "+14165550123"),
    "nl@example.org": ("NL", "1234 AB", "+31612345678"),
    "au@example.org": ("AU", "2000", "+61412345678"),
    "ci@example.org": ("CI", None, "+2250712345678"),
    "tr@example.org": ("TR", "06100", "+903121234567"),
}

DONATION_FILES = {
    # file: amounts as written
    "donations/brussels_gala.csv": ["1.234,56", "12,5", "30"],
    "donations/boston_gala.csv": ["1,234.56", "25.00", "1,000"],
    "donations/mixed_export.csv": ["12,5", "12.5"],
    "donations/configured_export.csv": ["1.234", "7"],
}


@pytest.fixture(scope="module")
def intl(tiny: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("intl")
    warehouse = copy_tiny(tiny, root).on_project_copy(root)
    with (warehouse.project_dir / "seeds" / "file_settings.csv").open("a") as fh:
        fh.write("donations/configured_export.csv,,,a test file,comma\n")
    write_csv(
        warehouse.raw_dir / "contacts" / "international_supporters.csv",
        ["Email", "Country", "Postcode", "Mobile"],
        PEOPLE,
    )
    for path, amounts in DONATION_FILES.items():
        stem = path.split("/")[1].removesuffix(".csv")
        write_csv(
            warehouse.raw_dir / path,
            ["Email", "Amount", "Date"],
            [[f"{stem}.{i}@example.org", a, "2026-05-01"] for i, a in enumerate(amounts)],
        )
    build_layers(warehouse)
    return warehouse


def test_each_row_is_read_in_its_own_country(intl: Warehouse):
    rows = intl.query(
        "select email, country, postcode, phone from stg_spreadsheets__contacts "
        "where file_path = 'contacts/international_supporters.csv'"
    )
    assert {email: rest for email, *rest in rows} == {k: list(v) for k, v in EXPECTED.items()}


def test_amounts_are_read_with_each_files_decimal_separator(intl: Warehouse):
    rows = intl.query(
        "select file_path, cast(amount as double) from stg_spreadsheets__donations "
        "where file_path in (?, ?, ?, ?) order by file_path, row_number",
        list(DONATION_FILES),
    )
    assert rows == [
        ("donations/boston_gala.csv", 1234.56),
        ("donations/boston_gala.csv", 25.0),
        ("donations/boston_gala.csv", 1000.0),
        ("donations/brussels_gala.csv", 1234.56),
        ("donations/brussels_gala.csv", 12.5),
        ("donations/brussels_gala.csv", 30.0),
        ("donations/configured_export.csv", 1234.0),
        ("donations/configured_export.csv", 7.0),
        # ambiguous: read with a dot; 12,5 is no dot-file number, so it is unparsed (counted)
        ("donations/mixed_export.csv", None),
        ("donations/mixed_export.csv", 12.5),
    ]


def test_source_files_say_which_separator_and_why(intl: Warehouse):
    rows = intl.query(
        "select file_path, decimal_separator, decimal_separator_source from source_files "
        "where file_path like 'donations/%' and file_path in (?, ?, ?, ?) order by file_path",
        list(DONATION_FILES),
    )
    assert rows == [
        ("donations/boston_gala.csv", "dot", "detected"),
        ("donations/brussels_gala.csv", "comma", "detected"),
        ("donations/configured_export.csv", "comma", "configured"),
        ("donations/mixed_export.csv", "dot", "ambiguous"),
    ]
    assert (
        intl.scalar(
            "select decimal_separator from source_files "
            "where file_path = 'contacts/international_supporters.csv'"
        )
        is None
    )


def test_an_ambiguous_file_is_warned_about_with_the_fix(intl: Warehouse):
    outcome = intl.dbt("test", "--select", "warn_ambiguous_decimal_separator")
    assert outcome.success
    [node] = outcome.nodes
    assert node.status == "warn"
    rows = intl.query(
        "select file_path from base_spreadsheets__decimal_separators "
        "where separator_source = 'ambiguous'"
    )
    assert rows == [("donations/mixed_export.csv",)]


def test_the_international_dbt_tests_pass(intl: Warehouse):
    """The macro tests per country and the new models' and seeds' schema tests."""
    outcome = intl.dbt(
        "test",
        "--select",
        "assert_country_names",
        "assert_postcode_per_country",
        "assert_money_decimal_separator",
        "assert_phone_e164_by_country",
        "assert_phone_e164",
        "assert_postcode_normalisation",
        "assert_money_parsing",
        "base_spreadsheets__country_aliases",
        "base_spreadsheets__decimal_separators",
        "country_aliases",
        "country_aliases_local",
        "postcode_formats",
        "phone_country_rules",
        "file_settings",
        "source_files",
        "--exclude",
        "warn_ambiguous_decimal_separator",  # warns for mixed_export.csv, as tested above
    )
    failed = [(n.name, n.status, n.message) for n in outcome.nodes if n.status != "pass"]
    assert outcome.success and not failed, failed
