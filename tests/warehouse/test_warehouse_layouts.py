"""Real export layouts are understood: one small fixture per vendor layout
(tests/fixtures/layouts/raw/<kind>/<vendor>/, sources in tests/fixtures/layouts/README.md),
all built by ONE dbt build of the warehouse layers (session-scoped), then checked per layout:
the person, place, consent and date columns each must map, and the values they must yield.
Also: a Mailchimp export saved under another name, kind-specific Status and Mobile, a title
above the header, repeated headers, and rows whose date or amount could not be read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.console import Console
from warehouse_build import Warehouse, failure_text, make_warehouse
from warehousetest_helpers import WAREHOUSE_SELECT

from sync.warehouse.report import file_notes, render_warehouse, warehouse_summary

LAYOUTS_RAW = Path(__file__).resolve().parents[1] / "fixtures" / "layouts" / "raw"


@pytest.fixture(scope="session")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Every layout fixture in one raw folder, built once with the staging and core marts and
    their dbt tests (so a layout that breaks a data test fails here, by name)."""
    root = tmp_path_factory.mktemp("layouts")
    warehouse = make_warehouse(root, shutil.copytree(LAYOUTS_RAW, root / "raw"))
    warehouse.outcome = warehouse.dbt(
        "build",
        *WAREHOUSE_SELECT,
        *("--exclude-resource-type", "unit_test", "--indirect-selection", "cautious"),
    )
    return warehouse


def _mapped(warehouse: Warehouse, file_path: str) -> dict[str, str]:
    """header -> canonical column (or `_ignored` / `?` for unknown) of one file."""
    rows = warehouse.query(
        "select headers.header, case when headers.is_ignored then '_ignored' "
        "else coalesce(headers.canonical_column, '?') end "
        "from base_spreadsheets__headers as headers "
        "inner join base_spreadsheets__files as files on files.file_id = headers.file_id "
        "where files.file_path = ? order by headers.column_position",
        [file_path],
    )
    assert rows, f"no headers for {file_path}: is the fixture there?"
    return dict(rows)


def _row(warehouse: Warehouse, file_path: str, email: str, columns: str) -> tuple:
    rows = warehouse.query(
        f"select {columns} from base_spreadsheets__rows where file_path = ? and email = ?",
        [file_path, email],
    )
    assert len(rows) == 1, (file_path, email, rows)
    return rows[0]


def test_the_layouts_build_with_every_data_test_passing(layouts: Warehouse) -> None:
    assert layouts.outcome is not None
    assert layouts.outcome.success, failure_text(layouts.outcome)
    assert not layouts.failures(), failure_text(layouts.outcome)
    # every fixture row is accepted: nothing is rejected for a layout we say we support (but
    # the one file whose title the reader cannot tell from a narrow header)
    rejected = layouts.query("select distinct file_path, reason from rejected_rows")
    assert rejected == [("contacts/title_row_narrow/walk_ins.csv", "missing_required_column")]


# (file, {header: canonical column that header must map to})
LAYOUTS = {
    "actblue": (
        "donations/actblue/actblue_spring-appeal_contributions.csv",
        {
            "Donor First Name": "first_name",
            "Donor Last Name": "last_name",
            "Donor Addr1": "address",
            "Donor City": "city",
            "Donor State": "state",
            "Donor ZIP": "postcode",
            "Donor Country": "country",
            "Donor Email": "email",
            "Donor Phone": "phone",
            "Date": "occurred_at",
            "Amount": "amount",
            "Receipt ID": "external_id",
            "Reference Code": "source_code",
            "Fundraising Page": "appeal_name",
            "Refund Date": "refunded_at",
            "Mobile": "_ignored",  # ActBlue's "gave on a phone" flag, not a phone number
            "Fundraiser Contact Email": "_ignored",  # the fundraiser's, not the donor's
        },
    ),
    "rock_the_vote": (
        "contacts/rock_the_vote/rtv_partner_registrants_report.csv",
        {
            "Email address": "email",
            "First name": "first_name",
            "Last name": "last_name",
            "Home address": "address",
            "Home city": "city",
            "Home County": "county",
            "Home state": "state",
            "Home zip code": "postcode",
            "Phone": "phone",
            "Opt-in to Partner email?": "email_opt_in",
            "Opt-in to RTV email?": "_ignored",  # consent given to Rock the Vote, not to us
            "Started registration": "occurred_at",
            "Tracking Source": "source_code",
            "Volunteer for partner": "volunteer_interest",
        },
    ),
    "nationbuilder": (
        "contacts/nationbuilder/nationbuilder_people_export.csv",
        {
            "nationbuilder_id": "external_id",
            "first_name": "first_name",
            "last_name": "last_name",
            "email": "email",
            "email_opt_in": "email_opt_in",
            "phone_number": "phone",
            "mobile_number": "phone",
            "primary_address1": "address",
            "primary_city": "city",
            "primary_state": "state",
            "primary_zip": "postcode",
            "primary_country_code": "country",
            "tag_list": "tags",
            "is_volunteer": "volunteer_interest",
            "created_at": "occurred_at",
        },
    ),
    "action_network_activists": (
        "contacts/action_network/export-2026-03-22-csv_report_332566_1648001887.csv",
        {
            "uuid": "external_id",
            "email": "email",
            "zip_code": "postcode",
            "can2_user_address": "address",
            "can2_user_city": "city",
            "can2_state_abbreviated": "state",
            "can2_phone": "phone",
            "can2_subscription_status": "subscription_status",
            "can2_subscription_date": "subscription_at",
            "can2_sms_status": "sms_status",
            "can2_user_tags": "tags",
        },
    ),
    "action_network_petition": (
        "petitions/action_network/fix-the-buses_signatures.csv",
        {"email": "email", "zip_code": "postcode", "created_date": "occurred_at"},
    ),
    "action_network_event": (
        "events/action_network/town-hall_attendees.csv",
        {"email": "email", "created_date": "occurred_at", "attended": "checked_in"},
    ),
    "action_network_donations": (
        "donations/action_network/action_network_spring_donations.csv",
        {"email": "email", "amount": "amount", "created_date": "occurred_at"},
    ),
    "everyaction": (
        "contacts/everyaction/everyaction_contacts_export.csv",
        {
            "VANID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Address Line 1": "address",
            "City": "city",
            "State/Province": "state",
            "Zip/Postal": "postcode",
            "Country": "country",
            "Preferred Email": "email",
            "Cell Phone": "phone",
            "Date Created": "occurred_at",
        },
    ),
    "mobilize": (
        "events/mobilize/mobilize_event_participations.csv",
        {
            "email": "email",
            "given_name": "first_name",
            "family_name": "last_name",
            "phone": "phone",
            "zip": "postcode",
            "event title": "event_name",
            "timeslot start": "event_date",
            "status": "attendee_status",
            "attended": "checked_in",
            "created_date": "occurred_at",
        },
    ),
    "eventbrite": (
        "events/eventbrite/eventbrite_attendee_report_layout-forum.csv",
        {
            "Email": "email",
            "Order Date": "occurred_at",
            "Attendee #": "attendee_id",
            "Attendee Status": "attendee_status",
            "Checked In": "checked_in",
            "Home Address 1": "address",
            "Home City": "city",
            "Home Zip": "postcode",
            "Home Country": "country",
            "Cell Phone": "phone",
        },
    ),
    "google_forms": (
        "volunteers/google_forms/volunteer_signups (Responses).csv",
        {
            "Timestamp": "occurred_at",
            "Email Address": "email",
            "ZIP code": "postcode",
            "Phone number": "phone",
            "Keep me updated by email": "email_opt_in",
            "Which issues matter most to you?": "issues",
        },
    ),
    "typeform": (
        "contacts/typeform/typeform_signup_responses.csv",
        {
            "Email": "email",
            "Phone number": "phone",
            "Zip code": "postcode",
            "Keep me informed": "email_opt_in",
            "Submit Date (UTC)": "occurred_at",
        },
    ),
    "jotform": (
        "contacts/jotform/jotform_petition_submissions.csv",
        {
            "Submission Date": "occurred_at",
            "E-mail": "email",
            "Street Address": "address",
            "City": "city",
            "State / Province": "state",
            "Postal / Zip Code": "postcode",
            "Country": "country",
        },
    ),
    "indiegogo": (
        "donations/indiegogo/indiegogo_layout-fund_contributions.csv",
        {
            "Email": "email",
            "Name": "full_name",
            "Amount": "amount",
            "Funding Date": "occurred_at",
            "Shipping City": "city",
            "Shipping Zip/Postal Code": "postcode",
            "Shipping Country": "country",
        },
    ),
    "gofundme": (
        "donations/gofundme/gofundme_layout-fund_donations.csv",
        {
            "Email": "email",
            "Name": "full_name",
            "Donation Amount": "amount",
            "Date": "occurred_at",
            "Zip": "postcode",
        },
    ),
    "mailchimp_audience": (
        "mailchimp_members/mailchimp/subscribed_members_export_layout1.csv",
        {
            "Email Address": "email",
            "OPTIN_TIME": "optin_at",
            "CONFIRM_TIME": "confirm_at",
            "LAST_CHANGED": "occurred_at",
            "CC": "geo_country",
            "TAGS": "tags",
        },
    ),
    "mailchimp_unsubscribed_renamed": (
        "mailchimp_members/mailchimp/audience_backup_june.csv",
        {"Email Address": "email", "UNSUB_TIME": "unsub_at", "UNSUB_REASON": "unsub_reason"},
    ),
    "hustle": (
        "contacts/hustle/hustle_leads_export.csv",
        {"Phone Number": "phone", "Email": "email", "Zip": "postcode", "Created At": "occurred_at"},
    ),
    "thrutext": (
        "contacts/thrutext/thrutext_conversations_export.csv",
        {"phone": "phone", "email": "email", "zip": "postcode", "opted_out": "_ignored"},
    ),
    "spoke": (
        "contacts/spoke/spoke_campaign_contacts.csv",
        {
            "contact[firstName]": "first_name",
            "contact[lastName]": "last_name",
            "contact[cell]": "phone",
            "contact[zip]": "postcode",
            "contact[email]": "email",
        },
    ),
    "callhub": (
        "contacts/callhub/callhub_contacts_export.csv",
        {
            "phone_number": "phone",
            "email": "email",
            "address": "address",
            "city": "city",
            "zipcode": "postcode",
            "country": "country",
        },
    ),
}


# headers a layout may leave not understood, and why
NOT_UNDERSTOOD = {
    # Typeform's response token column is headed "#": no letters, so no header key to map
    "typeform": ["#"],
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layout_columns_are_understood(layouts: Warehouse, layout: str) -> None:
    file_path, expected = LAYOUTS[layout]
    mapped = _mapped(layouts, file_path)
    wrong = {h: (mapped.get(h), want) for h, want in expected.items() if mapped.get(h) != want}
    assert not wrong, f"{layout}: header -> (mapped, expected): {wrong}"
    # no header of a supported layout is left not understood
    unknown = [h for h, c in mapped.items() if c == "?"]
    assert unknown == NOT_UNDERSTOOD.get(layout, []), layout


def test_actblue_reads_the_donor_not_the_shipping_address_nor_mobile(layouts: Warehouse) -> None:
    path = "donations/actblue/actblue_spring-appeal_contributions.csv"
    city, country, postcode, phone = _row(
        layouts, path, "avery.actblue@example.org", "city, country, postcode, phone"
    )
    assert (city, country, postcode, phone) == ("Springfield", "US", "62701", "+12175550101")
    # Mobile = true is no phone: Blair gave no phone
    assert _row(layouts, path, "blair.actblue@example.org", "phone, postcode") == (None, "02116")
    amount, appeal, occurred = layouts.query(
        "select amount, appeal_name, occurred_at from stg_spreadsheets__donations "
        "where email = 'casey.actblue@example.org'"
    )[0]
    assert float(amount) == 50.0 and appeal == "spring-appeal"
    assert str(occurred) == "2026-03-07 18:30:45"
    # a refunded gift (Refund Date filled) is a refund, no donation event
    refunds = layouts.query(
        "select email, is_refund, refunded_at is not null from stg_spreadsheets__donations "
        "where file_path = ? order by email",
        [path],
    )
    assert [r for r in refunds if r[1]] == [("drew.actblue@example.org", True, True)]


def test_rock_the_vote_status_is_not_a_subscription_status(layouts: Warehouse) -> None:
    path = "contacts/rock_the_vote/rtv_partner_registrants_report.csv"
    status, opt_in = _row(
        layouts, path, "dana.rtv@example.org", "subscription_status, email_opt_in"
    )
    assert status is None  # "Step 1" is a registration step
    assert opt_in is False  # the partner opt-in, not Rock the Vote's own
    assert _row(layouts, path, "eli.rtv@example.org", "email_opt_in, city, postcode") == (
        True,
        "Chicago",
        "60611",
    )
    # the words that are no subscription status are counted, with the header named
    unparsed = layouts.scalar(
        "select unparsed_values from source_files where file_path = ?", [path]
    )
    assert unparsed == 'subscription_status ("Status"): 3 rows, first row 2'


def test_nationbuilder_primary_address_is_read(layouts: Warehouse) -> None:
    path = "contacts/nationbuilder/nationbuilder_people_export.csv"
    assert _row(layouts, path, "gale.nb@example.org", "address, city, state, postcode, phone") == (
        "1 Market St",
        "San Francisco",
        "CA",
        "94105",
        "+14155550111",
    )


def test_a_renamed_mailchimp_export_takes_its_status_from_its_columns(layouts: Warehouse) -> None:
    statuses = dict(
        layouts.query(
            "select email, member_status from stg_spreadsheets__mailchimp_members "
            "where file_path like 'mailchimp_members/mailchimp/%'"
        )
    )
    assert statuses == {
        "yara.mc@example.org": "subscribed",  # from the file name
        "zed.mc@example.org": "unsubscribed",  # UNSUB_TIME column
        "abe.mc@example.org": "unsubscribed",
        "bea.mc@example.org": "unsubscribed",
        "cal.mc@example.org": "cleaned",  # CLEAN_TIME column
        "dee.mc@example.org": "subscribed",  # neither: subscribed
    }
    notes = dict(
        layouts.query(
            "select file_name, layout_notes from source_files "
            "where file_path like 'mailchimp_members/mailchimp/%'"
        )
    )
    assert notes["subscribed_members_export_layout1.csv"] is None
    assert notes["audience_backup_june.csv"].startswith(
        'Mailchimp status not in the file name: read as unsubscribed from its "UNSUB_TIME" column'
    )
    assert 'cleaned from its "CLEAN_TIME" column' in notes["list_copy_for_board.csv"]
    assert "subscribed from the absence of an UNSUB_TIME" in notes["our_audience.csv"]
    # and the opt-out reaches consent: the unsubscribed members are not emailable
    zed = layouts.scalar("select email_status from supporters where email = 'zed.mc@example.org'")
    assert zed == "unsubscribed"


def test_repeated_headers_are_named_with_the_file(layouts: Warehouse) -> None:
    path = "contacts/duplicate_headers/two_email_columns.csv"
    note = layouts.scalar("select layout_notes from source_files where file_path = ?", [path])
    assert note == (
        "several headers for one column, the first filled one is used per row: "
        'email from "Email" (column 1), "Email" (column 4); '
        'phone from "Phone" (column 5), "Phone" (column 6)'
    )
    # the second column is still read when the first is blank
    emails = {
        r[0]
        for r in layouts.query(
            "select email from base_spreadsheets__rows where file_path = ?", [path]
        )
    }
    assert emails == {"lou.dup@example.org", "max.dup@example.org"}
    # a lower-priority fallback (ActBlue's shipping city) is planned, not worth a note
    actblue = layouts.scalar(
        "select layout_notes from source_files where file_name like 'actblue_%'"
    )
    assert actblue is None


def test_a_title_above_the_header_is_skipped_and_noted(layouts: Warehouse) -> None:
    rows = dict(
        layouts.query(
            "select file_path, read_note from source_files where file_path like '%/title_row/%'"
        )
    )
    assert rows == {
        "contacts/title_row/signups_export.csv": (
            "header found on row 2; row 1 above it read as a title and skipped"
        ),
        "donations/title_row/contributions_report_2024_contributions.csv": (
            "header found on row 4; rows 1, 2 above it read as a title and skipped"
        ),
    }
    gifts = layouts.query(
        "select row_number, email, amount from stg_spreadsheets__donations "
        "where file_path like '%/title_row/%' order by row_number"
    )
    assert [(n, e, float(a)) for n, e, a in gifts] == [
        (5, "ivy.title@example.org", 20.0),
        (6, "jay.title@example.org", 35.0),
    ]


def test_a_title_the_reader_keeps_gets_the_right_fix(layouts: Warehouse) -> None:
    """A two-column sheet under a one-cell title is too narrow to tell title from header, so
    the title is read as the header; the fix names the real header row instead of an alias."""
    reason = layouts.scalar(
        "select quarantine_reason from source_files where file_path = ?",
        ["contacts/title_row_narrow/walk_ins.csv"],
    )
    assert reason == (
        'no "email" column (headers found: Meeting attendance | ); row 2 looks like the real '
        "header: delete the lines above it (a title or notes), then build again"
    )


def test_rows_whose_date_or_amount_could_not_be_read_are_counted(layouts: Warehouse) -> None:
    rows = {
        r[0]: r[1:]
        for r in layouts.query(
            "select file_path, rows_accepted, rows_unparsed, rows_unparsed_date, "
            "rows_unparsed_amount, unparsed_values from source_files "
            "where file_path like '%/unparsed/%'"
        )
    }
    assert rows["petitions/unparsed/bad-dates_signatures.csv"] == (
        4,
        2,
        2,
        0,
        'occurred_at ("Signed At"): 2 rows, first row 3',
    )  # the blank date (row 5) is not a value that failed
    assert rows["donations/unparsed/bad-amounts_donations.csv"] == (
        3,
        2,
        1,
        1,
        'amount ("Amount"): 1 rows, first row 2; occurred_at ("Donation Date"): 1 rows, '
        "first row 3",
    )
    # the build summary says so, per file
    summary = warehouse_summary(layouts.db_path)
    unparsed = dict(summary.unparsed_values)
    assert unparsed["petitions/unparsed/bad-dates_signatures.csv"].startswith("occurred_at")
    assert dict(summary.layout_notes)["contacts/title_row/signups_export.csv"].startswith(
        "header found on row 2"
    )
    assert file_notes(layouts.db_path) == (summary.unparsed_values, summary.layout_notes)
    console = Console(record=True, width=400)
    console.print(render_warehouse(summary))
    text = console.export_text()
    assert (
        "values not read (no event for these rows): petitions/unparsed/bad-dates_signatures.csv"
        in text
    )
    assert "note: mailchimp_members/mailchimp/audience_backup_june.csv" in text
    assert "@" not in text  # no addresses in what the build prints
