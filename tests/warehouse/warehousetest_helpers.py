"""Helpers for the warehouse tests: tiny raw folders written as CSV, dbt runs of the
warehouse layers only (staging, identity, consent, core marts), and small queries.

The tiny folder (`write_tiny_raw`) holds the people the identity and consent tests reason
about, so each test states its expectation next to the data it depends on.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from pathlib import Path

from warehouse_build import failure_text, make_warehouse

# The warehouse layers (all staging models and everything the core marts need), without the
# engagement models.
WAREHOUSE_MARTS = (
    "supporters",
    "supporter_identifiers",
    "consent_events",
    "rejected_rows",
    "source_files",
)
WAREHOUSE_SELECT = ["--select", "path:models/staging", *(f"+{mart}" for mart in WAREHOUSE_MARTS)]
# Build models and seeds only: the dbt tests run once, in the sample-set build.
NO_TESTS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]

ANA = "ana.reyes@example.org"
SAM_PHONE = "+16175550199"


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], delimiter: str = ","
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_tiny_raw(raw: Path) -> Path:
    """A raw folder with the people the identity and consent tests need.

    - Ana Reyes: four files of four kinds, her email spelled three ways
      (`Ana.Reyes@Example.org `, `mailto:ana.reyes@example.org`, `<ANA.REYES@EXAMPLE.ORG>`).
    - Dana and Eli: different emails, one office phone written two ways.
    - Sam Person: one call-log row with a phone and no email.
    - Ivan: a dated "Yes" on a form (2025-11-03), unsubscribed in Mailchimp later (2026-08-10).
    - Jo: unsubscribed in Mailchimp (2025-10-20), then a dated form opt-in (2026-10-05).
    - Chloe: an undated sheet tick, unsubscribed in Mailchimp.
    - misc/notes.csv: a folder that is not a kind (its rows are rejected as unknown_kind).
    """
    write_csv(raw / "misc" / "notes.csv", ["Email", "Note"], [["x@example.org", "call back"]])
    write_csv(
        raw / "contacts" / "website_signups.csv",
        [
            "Date registered",
            "First Name",
            "Last Name",
            "Email Address",
            "Zip/Postcode",
            "Phone",
            "Keep me updated?",
        ],
        [
            [
                "5/31/2025 9:30",
                "Ana",
                "Reyes",
                "Ana.Reyes@Example.org ",
                "2116",
                "(617) 555-0101",
                "Yes",
            ],
            [
                "6/1/2025 10:00",
                "Dana",
                "Mockridge",
                "dana.mockridge@example.org",
                "61101",
                "(815) 555-0100",
                "",
            ],
            [
                "6/2/2025 11:00",
                "Eli",
                "Testwood",
                "eli.testwood@example.net",
                "61101",
                "815-555-0100",
                "",
            ],
            ["11/3/2025 12:15", "Ivan", "Exampleton", "ivan@example.com", "10009", "", "Yes"],
        ],
    )
    write_csv(
        raw / "contacts" / "street_stall_leeds.csv",
        ["Name", "E-mail", "Postcode", "Mobile", "Updates?"],
        [["Chloe Doe", "chloe@example.com", "ls29hp", "07700 900135", "✓"]],
        delimiter=";",
    )
    write_csv(
        raw / "petitions" / "cap_the_rent_signatures.csv",
        [
            "email",
            "first_name",
            "last_name",
            "zip_code",
            "can2_subscription_status",
            "can2_subscription_date",
            "created_date",
        ],
        [
            [
                "mailto:ana.reyes@example.org",
                "Ana",
                "Reyes",
                "02116-3912",
                "subscribed",
                "2025-06-12 04:19:19",
                "2025-06-12 04:19:19",
            ]
        ],
    )
    write_csv(
        raw / "events" / "eventbrite_attendee_report_picnic.csv",
        [
            "Order #",
            "Order Date",
            "First Name",
            "Last Name",
            "Email",
            "Attendee #",
            "Attendee Status",
            "Checked In",
            "Event Name",
            "Event Date",
        ],
        [
            [
                "1001",
                "10/13/26 18:01",
                "Ana",
                "Reyes",
                "<ANA.REYES@EXAMPLE.ORG>",
                "5001",
                "Attending",
                "Yes",
                "Climate Picnic",
                "Oct 17, 2026 6:30 PM",
            ]
        ],
    )
    write_csv(
        raw / "volunteers" / "volunteer_signups.csv",
        [
            "Timestamp",
            "Email Address",
            "Full name",
            "Mobile",
            "Postcode / ZIP",
            "I consent to being contacted",
        ],
        [
            ["7/19/2025 17:43:59", "mailto:ana.reyes@example.org", "Ana Reyes", "", "02116", ""],
            [
                "10/5/2026 19:26:31",
                "jo@example.com",
                "Jo Sampleton",
                "",
                "60612",
                "I agree to receive emails about volunteering and campaigns",
            ],
        ],
    )
    write_csv(
        raw / "legislator_contacts" / "call_in_day_2026-11-19_call_log.csv",
        [
            "Call Time",
            "Caller Phone",
            "Caller First Name",
            "Caller Last Name",
            "Caller Zip",
            "Target",
        ],
        [["2026-11-18 09:26:51", "617.555.0199", "Sam", "Person", "02130", "Rep. Dana"]],
    )
    write_csv(
        raw / "mailchimp_members" / "unsubscribed_members_export_abc123.csv",
        ["Email Address", "First Name", "Last Name", "OPTIN_TIME", "LAST_CHANGED", "UNSUB_TIME"],
        [
            [
                "ivan@example.com",
                "Ivan",
                "Exampleton",
                "2024-01-01 10:00:00",
                "2026-08-10 16:02:55",
                "2026-08-10 16:02:55",
            ],
            [
                "jo@example.com",
                "Jo",
                "Sampleton",
                "2024-01-01 10:00:00",
                "2025-10-20 11:31:00",
                "2025-10-20 11:31:00",
            ],
            [
                "chloe@example.com",
                "Chloe",
                "Doe",
                "2024-01-01 10:00:00",
                "2026-06-18 07:45:10",
                "2026-06-18 07:45:10",
            ],
        ],
    )
    return raw


def supporter_ids_by_email(query) -> dict[str, str]:
    """email -> supporter_id for every usable email in supporter_identifiers."""
    return dict(
        query(
            "select identifier_value, supporter_id from supporter_identifiers "
            "where identifier_type = 'email' and is_usable"
        )
    )


def build_layers(warehouse) -> None:
    """Build the warehouse layers (seeds and models, no dbt tests); fail with dbt's messages."""
    outcome = warehouse.dbt("build", *WAREHOUSE_SELECT, *NO_TESTS)
    assert outcome.success, failure_text(outcome)


def copy_tiny(tiny, root: Path):
    """A private copy of the tiny warehouse (raw folder and DuckDB file) under `root`."""
    warehouse = make_warehouse(root, shutil.copytree(tiny.raw_dir, root / "raw"))
    shutil.copy(tiny.db_path, warehouse.db_path)
    return warehouse
