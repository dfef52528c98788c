"""Identity resolution: one supporter per person, never a merge through shared identifiers,
stable supporter ids. Runs on a tiny raw folder (warehousetest_helpers.write_tiny_raw) and on
the cases planted in the bundled sample set."""

from __future__ import annotations

import pytest
from warehouse_build import Warehouse, make_warehouse
from warehousetest_helpers import (
    ANA,
    SAM_PHONE,
    build_layers,
    copy_tiny,
    supporter_ids_by_email,
    write_csv,
)

CALL_LOG = "legislator_contacts/call_in_day_2026-11-19_call_log.csv"


def _supporter_of_row(
    warehouse: Warehouse, file_path: str, row_number: int, sheet: str | None = None
) -> str | None:
    rows = warehouse.query(
        "select s.supporter_id from int_identity__record_supporters s "
        "join base_spreadsheets__rows r on r.row_id = s.record_id "
        "where r.file_path = ? and r.row_number = ? and coalesce(r.sheet_name, '') = ?",
        [file_path, row_number, sheet or ""],
    )
    return rows[0][0] if rows else None


def _supporter_of_email(warehouse: Warehouse, email: str) -> str | None:
    rows = warehouse.query(
        "select supporter_id from supporter_identifiers "
        "where identifier_type = 'email' and identifier_value = ? and is_usable",
        [email],
    )
    return rows[0][0] if rows else None


def test_one_person_in_four_files_with_three_spellings_is_one_supporter(tiny: Warehouse):
    ids = {
        _supporter_of_row(tiny, path, 2)
        for path in (
            "contacts/website_signups.csv",
            "petitions/cap_the_rent_signatures.csv",
            "events/eventbrite_attendee_report_picnic.csv",
            "volunteers/volunteer_signups.csv",
        )
    }
    assert len(ids) == 1 and None not in ids
    (supporter_id,) = ids
    email, email_count, source_count = tiny.query(
        "select email, email_count, source_count from supporters where supporter_id = ?",
        [supporter_id],
    )[0]
    assert (email, email_count, source_count) == (ANA, 1, 4)


def test_two_people_sharing_an_office_phone_stay_two_supporters(tiny: Warehouse):
    dana = _supporter_of_email(tiny, "dana.mockridge@example.org")
    eli = _supporter_of_email(tiny, "eli.testwood@example.net")
    assert dana and eli and dana != eli
    phones = tiny.query("select phone from supporters where supporter_id in (?, ?)", [dana, eli])
    assert {p for (p,) in phones} == {"+18155550100"}


def test_supporter_ids_are_stable_across_a_rebuild_with_an_extra_file(tiny: Warehouse, tmp_path):
    warehouse = copy_tiny(tiny, tmp_path / "stable")
    raw = warehouse.raw_dir
    before = supporter_ids_by_email(warehouse.query)
    sam_before = _supporter_of_row(warehouse, CALL_LOG, 2)
    assert sam_before is not None

    # A new file: Sam Person now with an email (the call-log row attaches to him by phone,
    # so the two people merge and keep Sam's older id), and a newcomer.
    write_csv(
        raw / "contacts" / "aaa_new_signups.csv",
        ["First Name", "Last Name", "Email Address", "Phone", "Date registered"],
        [
            ["Sam", "Person", "sam.person@example.org", "617 555 0199", "11/19/2026 10:00"],
            ["Zoe", "Newcomer", "zoe@example.org", "", "11/19/2026 11:00"],
        ],
    )
    build_layers(warehouse)
    after = supporter_ids_by_email(warehouse.query)

    assert {e: after[e] for e in before} == before, "existing supporters kept their ids"
    assert after["sam.person@example.org"] == sam_before, "the merge kept the older id"
    assert _supporter_of_row(warehouse, CALL_LOG, 2) == sam_before
    assert after["zoe@example.org"] not in before.values()
    assert (
        warehouse.scalar(
            "select count(*) from supporter_identifiers where identifier_value = ?", [SAM_PHONE]
        )
        == 1
    )


def test_supporter_ids_come_from_content_not_from_the_build(tiny: Warehouse, tmp_path):
    """A fresh build of the same files (another DuckDB file) mints the same ids."""
    fresh = make_warehouse(tmp_path / "fresh", tiny.raw_dir)
    build_layers(fresh)
    assert supporter_ids_by_email(fresh.query) == supporter_ids_by_email(tiny.query)


# ---- planted cases in the bundled sample set -------------------------------------------------


def _row(case_row: dict) -> tuple[str, int, str | None]:
    return case_row["file"].removeprefix("raw/"), int(case_row["row_number"]), case_row.get("sheet")


def _built(built_warehouse: Warehouse) -> Warehouse:
    failed = built_warehouse.failures("supporters", "int_identity", "stg_spreadsheets")
    assert not failed, [(f.name, f.message) for f in failed]
    return built_warehouse


def test_planted_person_in_four_files_is_one_supporter(built_warehouse, planted_cases):
    warehouse = _built(built_warehouse)
    case = planted_cases["cases"]["rosa_four_files"]
    ids = {_supporter_of_row(warehouse, *_row(r)) for r in case["rows"]}
    assert len(ids) == 1 and None not in ids
    assert (
        warehouse.scalar("select email from supporters where supporter_id = ?", [ids.pop()])
        == case["canonical_email"]
    )


def test_planted_shared_office_phone_does_not_merge(built_warehouse, planted_cases):
    warehouse = _built(built_warehouse)
    case = planted_cases["cases"]["shared_office_phone"]
    ids = [_supporter_of_row(warehouse, *_row(r)) for r in case["rows"]]
    assert None not in ids and len(set(ids)) == len(ids)


def test_planted_role_address_is_skipped_not_merged(built_warehouse, planted_cases):
    warehouse = _built(built_warehouse)
    case = planted_cases["cases"]["role_address"]
    ids = [_supporter_of_row(warehouse, *_row(r)) for r in case["rows"]]
    assert None not in ids and len(set(ids)) == len(ids)
    skipped = warehouse.query(
        "select reason from int_identity__skipped_identifiers where identifier_value = ?",
        [case["email"]],
    )
    assert skipped == [("shared_by_too_many_people",)]
    assert warehouse.scalar("select count(*) from supporters where email = ?", [case["email"]]) == 0


@pytest.mark.parametrize("case_name", ["attach_by_phone", "attach_by_name_postcode"])
def test_planted_email_less_rows_attach_to_the_unique_match(
    built_warehouse, planted_cases, case_name
):
    warehouse = _built(built_warehouse)
    for row in planted_cases["cases"][case_name]["rows"]:
        expected = _supporter_of_email(warehouse, row["should_attach_to"])
        assert expected is not None
        assert _supporter_of_row(warehouse, *_row(row)) == expected, row


@pytest.mark.parametrize(
    "case_name",
    [
        "no_attach_ambiguous_name_postcode",
        "no_attach_name_other_postcode",
        "no_attach_shared_phone",
    ],
)
def test_planted_email_less_rows_do_not_attach_when_not_unique(
    built_warehouse, planted_cases, case_name
):
    warehouse = _built(built_warehouse)
    for row in planted_cases["cases"][case_name]["rows"]:
        supporter_id = _supporter_of_row(warehouse, *_row(row))
        assert supporter_id is not None
        others = warehouse.scalar(
            "select count(*) from int_identity__record_supporters where supporter_id = ?",
            [supporter_id],
        )
        assert others == 1, f"{row} was merged with {others - 1} other records"
        must_not = row.get("must_not_attach_to")
        if must_not:
            assert _supporter_of_email(warehouse, must_not) != supporter_id


def test_a_name_without_email_phone_or_postcode_is_rejected_not_attached(
    built_warehouse, planted_cases
):
    """Nobody can reach or match "Chris Placeholder" from a sign-in sheet: no_contact, never
    attached to the namesake who has an email."""
    warehouse = _built(built_warehouse)
    for row in planted_cases["cases"]["no_email_no_postcode"]["rows"]:
        file_path, number, sheet = _row(row)
        reasons = warehouse.query(
            "select reason from rejected_rows where file_path = ? and row_number = ? "
            "and coalesce(sheet_name, '') = ?",
            [file_path, number, sheet or ""],
        )
        assert reasons == [("no_contact",)], row
        assert _supporter_of_row(warehouse, file_path, number, sheet) is None


def test_planted_guests_with_the_buyers_email_are_not_the_buyer(built_warehouse, planted_cases):
    warehouse = _built(built_warehouse)
    for row in planted_cases["cases"]["guest_with_buyer_email"]["rows"]:
        buyer = _supporter_of_email(warehouse, row["raw_email"].strip().lower())
        guest = _supporter_of_row(warehouse, *_row(row))
        assert guest is not None and guest != buyer, row


def test_planted_work_and_personal_emails_stay_two_supporters(built_warehouse, planted_cases):
    warehouse = _built(built_warehouse)
    case = planted_cases["cases"]["work_and_personal_email_same_phone"]
    work = _supporter_of_row(warehouse, *_row(case["rows"][0]))
    personal = _supporter_of_email(warehouse, case["personal_email"])
    assert work and personal and work != personal


def test_no_supporter_mixes_two_people_of_the_ground_truth(built_warehouse):
    """The sample's ground truth (row -> person): no supporter holds rows of two people."""
    warehouse = _built(built_warehouse)
    truth = warehouse.raw_dir.parent / "ground_truth" / "row_people.csv"
    mixed = warehouse.query(
        f"""
        with truth as (select * from read_csv('{truth}', all_varchar = true))
        select s.supporter_id, count(distinct t.person_id)
        from int_identity__record_supporters s
        join base_spreadsheets__rows r on r.row_id = s.record_id
        join truth t on t.file = r.file_path and coalesce(t.sheet, '') = coalesce(r.sheet_name, '')
            and cast(t.row_number as integer) = r.row_number
        where t.person_id is not null and t.person_id <> ''
        group by s.supporter_id
        having count(distinct t.person_id) > 1
        """
    )
    assert mixed == []


def test_a_chain_of_email_less_rows_is_one_person_even_with_no_label_passes(tiny, tmp_path):
    """Four call-log rows without an email, linked in a chain (phone+surname, then
    name+postcode, then phone+surname) and matching no supporter with an email: connected
    components over the residual make them one person. With identity_label_passes 0 the
    query does nothing and the post-hook (engage_settle_components) runs passes until the
    labels stop changing; the convergence test agrees."""
    warehouse = copy_tiny(tiny, tmp_path / "chain")
    warehouse.dbt_vars["identity_label_passes"] = 0
    write_csv(
        warehouse.raw_dir / "legislator_contacts" / "chain_call_log.csv",
        ["Call Time", "Caller Phone", "Caller First Name", "Caller Last Name", "Caller Zip"],
        [
            ["2026-11-18 09:00:00", "617.555.0301", "Al", "Chainer", "02131"],
            ["2026-11-18 09:05:00", "617.555.0301", "Al", "Chainer", "02132"],
            ["2026-11-18 09:10:00", "617.555.0302", "Al", "Chainer", "02132"],
            ["2026-11-18 09:15:00", "617.555.0302", "Al", "Chainer", "02133"],
        ],
    )
    build_layers(warehouse)
    path = "legislator_contacts/chain_call_log.csv"
    ids = {_supporter_of_row(warehouse, path, row) for row in range(2, 6)}
    assert len(ids) == 1 and None not in ids
    assert warehouse.scalar("select count(*) from int_identity__residual_edges") >= 3
    outcome = warehouse.dbt("test", "--select", "assert_identity_components_converged")
    assert outcome.success, [(f.name, f.message) for f in outcome.failures]
