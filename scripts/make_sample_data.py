#!/usr/bin/env python3
"""Generates the bundled sample data set (`sample_data/`) from a seed: deterministic, byte for byte.

Owns: the synthetic people model, one writer function per raw-file kind, the planted test cases
(`sample_data/planted_cases.json`) and the per-row ground truth
(`sample_data/ground_truth/row_people.csv`). `sample_data/README.md` documents the result.

Every value is fake: names are obviously made up, e-mails use example.org/.com/.net, US phones
are in the fictional 555-01xx range, UK phones in Ofcom's drama ranges (07700 900xxx, 0113 496
0xxx, ...). Dates are relative to the fixed anchor `AS_OF` (never the wall clock), randomness
comes from one `random.Random(SEED)`, and the XLSX is re-packed with fixed timestamps, so running
the script twice gives identical bytes (tests/sample_data checks the committed set against it).

Usage:
    .venv/bin/python scripts/make_sample_data.py            # rewrites sample_data/
    .venv/bin/python scripts/make_sample_data.py --out DIR  # writes DIR/raw/..., DIR/AS_OF, ...
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# --------------------------------------------------------------------------------------------
# Constants: the knobs of the data set
# --------------------------------------------------------------------------------------------

SEED = 20261120
AS_OF = dt.date(2026, 11, 20)
HISTORY_DAYS = 540  # ~18 months of activity before AS_OF
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "sample_data"
XLSX_FIXED_TIME = dt.datetime(2026, 11, 8, 9, 30, 0)  # workbook properties and zip entry times

# How many synthetic people of each behaviour profile (planted people come on top).
PROFILE_COUNTS = {
    "super": 8,  # many actions, several high-effort ones in the last 90 days
    "active": 110,  # actions across the window, often recent
    "lapsed": 105,  # actions only more than 95 days ago
    "new": 30,  # first seen in the last 30 days (8 of them in the last 7)
    "petition_only": 16,  # one petition signature 3-30 days ago, nothing else
    "subscriber": 95,  # only in Mailchimp (receives, maybe opens/clicks, never acts)
    "offline": 14,  # never gave an e-mail: sign-in sheets and phone calls only
}
NEW_7D = 8

ISSUES = ["housing", "climate", "transit", "healthcare", "education"]

# Campaigns as they are spelled in the files. The issue column is what the campaign is *about*
# (for the README; the campaign -> issue seed is maintained in seeds/, not here).
EMAIL_CAMPAIGNS = [  # (send date, slug used in the file name, issue)
    ("2025-06-12", "clean-air-schools-launch", "climate"),
    ("2025-09-18", "transit-fare-freeze", "transit"),
    ("2025-12-04", "year-end-appeal", None),
    ("2026-01-22", "clinic-hours-update", "healthcare"),
    ("2026-03-05", "fund-our-schools-letter-drive", "education"),
    ("2026-05-14", "cap-the-rent-petition-launch", "housing"),
    ("2026-08-20", "heat-plan-briefing", "climate"),
    ("2026-10-03", "housing-week-of-action", "housing"),
    ("2026-11-14", "november-newsletter", None),
    ("2026-11-16", "housing-town-hall-invite", "housing"),
    ("2026-11-18", "bus-lanes-now-alert", "transit"),
    ("2026-11-19", "clinic-call-in-day", "healthcare"),
]
PETITIONS = {  # title -> (issue, first day, last day, report id, export date)
    "Clean Air for Every School": ("climate", "2025-06-12", "2025-09-25", 310442, "2025-09-30"),
    "Cap the Rent": ("housing", "2026-05-14", "2026-10-12", 332566, "2026-10-14"),
    "Keep Clinics Open Late": ("healthcare", "2026-10-21", "2026-11-17", 340981, "2026-11-18"),
}
EVENTS = {  # Eventbrite events: name -> (issue, event start, district, city/state, first order)
    "Climate Picnic in the Park": ("climate", "2025-08-16 12:00", "CA-12", "Oakland", "2025-07-20"),
    "Cap the Rent Town Hall": ("housing", "2026-10-17 18:30", "IL-16", "Rockford", "2026-09-25"),
    "Transit Forum: Buses for Rockford": (
        "transit",
        "2026-12-05 10:00",
        "IL-16",
        "Rockford",
        "2026-11-05",
    ),
}
TOWN_HALL = ("Leeds Housing Town Hall", "housing", dt.date(2026, 11, 7))
LETTER_CAMPAIGNS = {  # subject -> (issue, first day, last day, country)
    "Fund Our Schools": ("education", "2026-02-20", "2026-03-31", "US"),
    "Cap the Rent: write to your MP": ("housing", "2026-05-20", "2026-07-15", "GB"),
    "Bus Lanes Now": ("transit", "2026-09-15", "2026-11-17", "US"),
}
CALL_CAMPAIGN = ("Clinic call-in day", "healthcare", dt.date(2026, 11, 18), dt.date(2026, 11, 19))
CONSULTATIONS = {  # file stem -> (issue, first day, last day, UK city)
    "leeds_bus_network_consultation_responses": ("transit", "2026-09-01", "2026-10-31", "Leeds"),
    "cardiff_renters_charter_consultation": ("housing", "2026-06-01", "2026-07-31", "Cardiff"),
}
STORY_CAMPAIGNS = ["Cap the Rent", "Keep Clinics Open Late", "Bus Lanes Now"]
DONATION_CAMPAIGN = ("housing-defence-fund", "housing", "2026-05-20", "2026-11-15")
VOLUNTEER_WINDOW = ("2025-07-01", "2026-11-18")

FIRST_NAMES = [
    "Amara", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kemi", "Leo",
    "Mira", "Noor", "Omar", "Priya", "Quinn", "Ravi", "Sam", "Tess", "Uma", "Vic", "Wren",
    "Xavi", "Yara", "Zane", "Aisha", "Bram", "Cleo", "Dara", "Emeka", "Finn", "Gita", "Hugo",
    "Isla", "Jamal", "Kai", "Lena", "Malik", "Nia", "Otto", "Pia", "Rhys", "Saoirse", "Tomás",
    "Zoë", "José", "Renée", "Björn", "Siân", "Aoife", "Ngozi", "Mateo", "Lucía", "Kofi", "Inès",
    "Yusuf", "Maeve", "Arjun", "Dolores",
]  # fmt: skip
LAST_NAMES = [
    "Sampleton", "Exampleton", "Testwood", "Mockridge", "Placeholder", "Dummett", "Specimen",
    "Fixture", "Stubbs", "Mockley", "Samplewell", "Demoson", "Draftsby", "Protoson", "Trialby",
    "Pilotman", "Modelton", "Dummond", "Casewell", "Checkley", "Fakesley", "Testerman",
    "Loremson", "Ipsumova", "Mockingham", "Exemplar", "O'Sample", "Van der Test",
    "Sampleton-Mock", "Fakeström", "Démoulin", "Núñez-Test", "Mustermann", "Doe-Example",
]  # fmt: skip
EMAIL_DOMAINS = ["example.org", "example.com", "example.net"]

# US areas: (state, city, congressional district, ZIPs, area code, lat, lon, time zone)
US_AREAS = [
    ("IL", "Rockford", "IL-16", ["61101", "61103", "61107", "61108"], "815", 42.27, -89.09,
     "America/Chicago"),
    ("IL", "Chicago", "IL-7", ["60607", "60612", "60624"], "312", 41.88, -87.63,
     "America/Chicago"),
    ("MA", "Boston", "MA-7", ["02116", "02119", "02120", "02130"], "617", 42.35, -71.06,
     "America/New_York"),
    ("NJ", "Newark", "NJ-10", ["07102", "07103", "07104"], "973", 40.73, -74.17,
     "America/New_York"),
    ("CT", "Hartford", "CT-1", ["06103", "06105", "06106"], "860", 41.76, -72.68,
     "America/New_York"),
    ("CA", "Oakland", "CA-12", ["94607", "94610", "94612"], "510", 37.80, -122.27,
     "America/Los_Angeles"),
    ("NY", "New York", "NY-10", ["10002", "10009", "10013"], "212", 40.72, -73.99,
     "America/New_York"),
]  # fmt: skip
US_AREA_WEIGHTS = [30, 12, 12, 8, 6, 10, 10]
# UK areas: (city, region code, constituency, outward codes, landline prefix, wards, lat, lon)
UK_AREAS = [
    ("Leeds", "ENG", "Leeds Central and Headingley", ["LS1", "LS2", "LS6"], "0113 496 0",
     ["Headingley & Hyde Park", "Little London & Woodhouse", "Hunslet & Riverside"], 53.80, -1.55),
    ("Cardiff", "WLS", "Cardiff East", ["CF23", "CF24"], "029 2018 0", [], 51.49, -3.15),
    ("Manchester", "ENG", "Manchester Rusholme", ["M13", "M14"], "0161 496 0", [], 53.46, -2.22),
    ("Bristol", "ENG", "Bristol Central", ["BS1", "BS2", "BS6"], "0117 496 0", [], 51.46, -2.59),
    ("London", "ENG", "Hackney South and Shoreditch", ["E8", "N1"], "020 7946 0", [], 51.54, -0.06),
]  # fmt: skip
UK_AREA_WEIGHTS = [40, 20, 12, 12, 16]
US_SHARE = 0.68
LEGISLATORS = {  # district -> (target name, office)
    "IL-16": ("Rep. Dana Legisworth", "U.S. House"),
    "IL-7": ("Rep. Morgan Billsby", "U.S. House"),
    "MA-7": ("Rep. Casey Statehouse", "U.S. House"),
    "NJ-10": ("Rep. Jordan Ayesandnoes", "U.S. House"),
    "CT-1": ("Rep. Avery Caucus", "U.S. House"),
    "CA-12": ("Rep. Riley Quorum", "U.S. House"),
    "NY-10": ("Rep. Harper Filibuster", "U.S. House"),
    "Leeds Central and Headingley": ("Alex Hansard MP", "House of Commons"),
    "Cardiff East": ("Sam Dispatchbox MP", "House of Commons"),
    "Manchester Rusholme": ("Jamie Backbench MP", "House of Commons"),
    "Bristol Central": ("Robin Whip MP", "House of Commons"),
    "Hackney South and Shoreditch": ("Charlie Divisionbell MP", "House of Commons"),
}
VOLUNTEER_ISSUE_LABELS = {  # form option text per issue (not the slugs: staging maps them)
    "housing": "Housing & rent",
    "climate": "Climate",
    "transit": "Public transport",
    "healthcare": "Healthcare",
    "education": "Schools & education",
}
VOLUNTEER_CONSENT_LABEL = "I agree to receive emails about volunteering and campaigns"
PROFILE_WEIGHT = {  # how likely a profile is picked for an action, relative
    "super": 12.0, "active": 3.0, "lapsed": 2.0, "new": 3.0, "petition_only": 0.0,
    "subscriber": 0.0, "offline": 0.0, "planted": 0.0, "guest": 0.0,
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Header layouts, one per kind of file (scripts/make_scale_data.py writes the same layouts)
# --------------------------------------------------------------------------------------------

CONTACTS_HEADER = ["Date registered", "First Name", "Last Name", "Email Address", "Zip/Postcode",
                   "Phone", "Keep me updated?"]  # fmt: skip
STREET_STALL_HEADER = ["Name", "E-mail", "Postcode", "Mobile", "Updates?"]  # semicolon-delimited
PETITION_HEADER = [
    "uuid", "first_name", "last_name", "email", "zip_code", "can2_user_address",
    "can2_user_city", "can2_user_state", "can2_state_abbreviated", "can2_county",
    "can2_phone", "can2_sms_status", "can2_user_tags", "can2_subscription_status",
    "can2_subscription_date", "can2_lifetime_value", "action_title", "created_date",
    "comments", "source_code", "Volunteer_Phonebank to voters",
]  # fmt: skip
PETITION_TAG_POOL = ["#Housing", "?Direct Action", "?Organizing", "Phone_Bank", "#Climate",
                     "#Transit", "Rockford", "#Healthcare", "Leeds"]  # fmt: skip
LETTERS_HEADER = ["first_name", "last_name", "email", "zip_code", "target_name", "target_office",
                  "district", "channel", "subject", "created_date", "source"]  # fmt: skip
CALL_LOG_HEADER = ["Call Time", "Caller Phone", "Caller First Name", "Caller Last Name",
                   "Caller Zip", "Target", "District", "Duration (s)", "Campaign"]  # fmt: skip
EVENTBRITE_HEADER = [
    "Order #", "Order Date", "First Name", "Last Name", "Email", "Quantity", "Price Tier",
    "Ticket Type", "Attendee #", "Group", "Order Type", "Currency", "Total Paid",
    "Fees Paid", "Eventbrite Fees", "Eventbrite Payment Processing", "Attendee Status",
    "Checked In", "Event Name", "Event Date", "Home Address 1", "Home Address 2",
    "Home City", "Home State", "Home Zip", "Home Country", "Cell Phone",
    "How did you hear about this event?", "Are you a member?", "Job Title", "Company",
]  # fmt: skip
TOWN_HALL_HEADERS = (  # the XLSX's two sheets
    ["Name", "Email", "Phone", "Zip/Postcode", "Ward", "Volunteer? (Y/N)", "Updates?", "Event",
     "Date"],
    ["Full name", "E-mail", "Phone number", "Postcode", "Ward", "Volunteer?", "Keep me updated",
     "Event", "Date"],
)  # fmt: skip
CONSULTATION_ANSWERS = {  # issue -> (Q1 answers, Q2 answers)
    "transit": (
        ["Daily", "A few times a week", "Weekly", "Rarely", "Never", ""],
        [
            "More frequent buses in the evening",
            "Reliable timetables, the 56 never turns up on time",
            "Cheaper fares for under-25s, please",
            "Bus lanes on Otley Road",
            "Better shelters — it's always raining",
            "Contactless on every route\nand a proper app",
            "",
        ],
    ),
    "housing": (
        ["Yes, privately", "Yes, social housing", "No", ""],
        [
            "Caps on rent rises",
            "An end to no-fault evictions",
            "Damp and mould fixed within 14 days",
            "Pets allowed, within reason",
            "",
        ],
    ),
}
CONSULTATION_ANSWERS_Q3 = ["", "", "Thanks for running this.", "Please keep me posted, I'd like "
                           "to help.\nI live right by the depot.", "No", "n/a"]  # fmt: skip


def consultation_header(issue: str) -> list[str]:
    """The consultation sheet's columns: the questions differ by issue (transit or housing)."""
    return ["Response ID", "Submitted", "Email", "Postcode",
            "Q1 How often do you use the bus?" if issue == "transit"
            else "Q1 Do you rent your home?",
            "Q2 What would most improve your journey?" if issue == "transit"
            else "Q2 What should the renters' charter include?",
            "Q3 Any other comments?",
            "May we contact you about this consultation?"]  # fmt: skip


STORY_SHARES_HEADER = ["shared_at", "email", "network", "story_slug", "campaign", "ref_code"]
STORY_SLUGS = {"Cap the Rent": ["rosas-rent-went-up-40-percent", "three-moves-in-two-years"],
               "Keep Clinics Open Late": ["night-shift-nurse", "my-kids-got-sick-at-8pm"],
               "Bus Lanes Now": ["two-hours-a-day-on-the-bus"]}  # fmt: skip
STORY_SUBMISSIONS_HEADER = ["Submitted", "Name", "Email", "ZIP / Postcode", "Campaign",
                            "Your story", "Can we publish your story?"]  # fmt: skip
STORY_TEXTS = {  # smart quotes and dashes as Word/Excel on Windows types them
    "Cap the Rent": [
        "My rent went up 40% in one year. We’re now paying more than half our income.",
        "We’ve moved three times in two years. My daughter’s changed school twice.",
        "Our landlord said “take it or leave it” when the rent doubled.",
    ],
    "Keep Clinics Open Late": [
        "The clinic shuts at 5 — I work until 6. “Open late” isn’t a luxury, it’s the "
        "only way I can see a doctor.",
        "After the night shift I can’t get an appointment anywhere… it’s exhausting.",
    ],
    "Bus Lanes Now": [
        "I spend two hours a day on the bus.\r\nA bus lane would give me back my evenings.",
        "The 56 sits in traffic – every single morning – while cars go past.",
    ],
}
VOLUNTEER_HEADER = ["Timestamp", "Email Address", "Full name", "Mobile", "Postcode / ZIP",
                    "Availability", "Which issues matter most to you?",
                    "I consent to being contacted", "Onboarding status", "Training date",
                    "Shift dates"]  # fmt: skip
DONATION_HEADER = ["Perk ID", "Order No.", "Pledge ID", "Fulfillment Status", "Funding Date",
                   "Payment Method", "Appearance", "Name", "Email", "Amount", "Perk",
                   "Shipping Name", "Shipping Address", "Shipping Address 2", "Shipping City",
                   "Shipping State/Province", "Shipping Zip/Postal Code",
                   "Shipping Country"]  # fmt: skip
DONATION_PERKS = [("2375299", "Thank-you postcard", 15), ("2375300", "Tenant toolkit", 30),
                  ("2375301", "Defence Fund tote bag", 50), ("", "No perk", 0)]  # fmt: skip
MAILCHIMP_BASE_HEADER = ["Email Address", "First Name", "Last Name", "ZIP code", "Phone Number",
                         "MMERGE5", "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME",
                         "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE",
                         "CC", "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES",
                         "TAGS"]  # fmt: skip
MAILCHIMP_STATUS_HEADERS = {  # columns appended to the base per status file
    "subscribed": [],
    "unsubscribed": ["UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
                     "UNSUB_REASON", "UNSUB_REASON_OTHER"],
    "cleaned": ["CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"],
}  # fmt: skip


def email_activity_headers(n: int) -> tuple[list[str], list[str], list[str]]:
    """(sent-to, opened, clicked) columns of the n-th campaign: the order varies per campaign."""
    sent = ["Email", "Timestamp"] if n % 4 else ["Timestamp", "Email"]
    opened = ["Email", "Timestamp"] if n % 3 else ["Timestamp", "Email"]
    clicked = ["Email", "Timestamp", "Url"] if n % 2 else ["Url", "Email", "Timestamp"]
    return sent, opened, clicked


# --------------------------------------------------------------------------------------------
# People model
# --------------------------------------------------------------------------------------------


@dataclass
class Person:
    pid: str
    first: str
    last: str
    email: str | None  # canonical: lower-case, trimmed
    phone: str | None  # E.164
    country: str  # "US" or "GB"
    city: str
    region: str  # US state, or ENG/WLS
    district: str  # congressional district or UK constituency
    postal: str | None  # "02116" or "LS6 2AB"
    ward: str | None
    interests: list[str]
    profile: str
    joined_age: int  # first seen, in days before AS_OF
    min_age: int = 1  # no action more recent than this (lapsed people: 95+)
    mailchimp: str | None = None  # subscribed / unsubscribed / cleaned / None
    optin_at: dt.datetime | None = None
    status_changed_at: dt.datetime | None = None  # unsubscribe or clean time
    opens: float = 0.0  # probability to open a received campaign
    clicks: float = 0.0  # probability to click when opening
    proxy_opener: bool = False  # mail privacy protection: opens at send time
    actions: int = 0
    log: list[tuple[dt.datetime, str]] = field(default_factory=list)  # (when, action type)

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Row:
    """One row to write, with who really wrote it and the planted cases it carries."""

    values: dict[str, object]
    pid: str | None
    marks: list[tuple[str, dict]] = field(default_factory=list)


@dataclass
class FileRecord:
    path: str
    kind: str
    layout: str
    encoding: str
    delimiter: str | None
    line_ending: str
    data_rows: int
    sheets: list[dict] | None = None


class Output:
    """Collects written files, the rows' ground truth and the planted cases."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[FileRecord] = []
        self.truth: list[tuple[str, str, int, str]] = []  # (file, sheet, row_number, person)
        self.marks: dict[str, list[dict]] = {}

    def _note_rows(self, rel: str, sheet: str, rows: list[Row], numbers: list[int]) -> None:
        for row, number in zip(rows, numbers, strict=True):
            self.truth.append((rel, sheet, number, row.pid or ""))
            for case, info in row.marks:
                self.marks.setdefault(case, []).append(
                    {
                        "file": rel,
                        **({"sheet": sheet} if sheet else {}),
                        "row_number": number,
                        **info,
                    }  # fmt: skip
                )

    def write_csv(
        self,
        kind: str,
        name: str,
        header: list[str],
        rows: list[Row],
        layout: str,
        *,
        delimiter: str = ",",
        encoding: str = "utf-8",
        bom: bool = False,
        crlf: bool = False,
        quote_all: bool = False,
    ) -> str:
        rel = f"{kind}/{name}"  # relative to raw/, like raw_files.file_path
        buf = io.StringIO()
        writer = csv.writer(
            buf,
            delimiter=delimiter,
            lineterminator="\r\n" if crlf else "\n",
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        )
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.values.get(h) is None else row.values[h] for h in header])
        data = buf.getvalue().encode(encoding)
        if bom:
            data = b"\xef\xbb\xbf" + data
        path = self.root / "raw" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        label = encoding + ("-sig" if bom else "")
        self.files.append(
            FileRecord(rel, kind, layout, label, delimiter, "CRLF" if crlf else "LF", len(rows))
        )
        self._note_rows(rel, "", rows, list(range(2, len(rows) + 2)))
        return rel

    def copy_file(self, kind: str, source_rel: str, name: str, layout: str) -> str:
        rel = f"{kind}/{name}"  # relative to raw/, like raw_files.file_path
        shutil.copyfile(self.root / "raw" / source_rel, self.root / "raw" / rel)
        original = next(f for f in self.files if f.path == source_rel)
        self.files.append(
            FileRecord(
                rel,
                kind,
                layout,
                original.encoding,
                original.delimiter,
                original.line_ending,
                original.data_rows,
            )  # fmt: skip
        )
        self.truth.extend((rel, s, n, p) for f, s, n, p in list(self.truth) if f == source_rel)
        return rel

    def write_xlsx(
        self,
        kind: str,
        name: str,
        sheets: list[tuple[str, list[str], list[Row | None]]],
        layout: str,
    ) -> str:
        """sheets: (title, header, rows); a None row is a blank spreadsheet row."""
        from openpyxl import Workbook  # dev dependency, only needed to (re)generate

        rel = f"{kind}/{name}"  # relative to raw/, like raw_files.file_path
        wb = Workbook()
        wb.remove(wb.active)
        sheet_info = []
        for title, header, rows in sheets:
            ws = wb.create_sheet(title)
            ws.append(header)
            excel_row = 1
            written: list[Row] = []
            numbers: list[int] = []
            blanks = 0
            for n, row in enumerate(rows):
                excel_row += 1
                if row is None:
                    blanks += 1
                    if n >= len(rows) - 2:  # trailing "blank" rows someone typed a space into
                        ws.cell(row=excel_row, column=1, value=" ")
                    continue
                for col, h in enumerate(header, start=1):
                    value = row.values.get(h)
                    if value is not None and value != "":
                        cell = ws.cell(row=excel_row, column=col, value=value)
                        if isinstance(value, dt.datetime):
                            cell.number_format = "dd/mm/yyyy hh:mm"
                        elif isinstance(value, dt.date):
                            cell.number_format = "dd/mm/yyyy"
                written.append(row)
                numbers.append(excel_row)
            self._note_rows(rel, title, written, numbers)
            sheet_info.append({"sheet": title, "data_rows": len(written), "blank_rows": blanks})
        props = wb.properties
        props.creator = "Town hall volunteer"
        props.lastModifiedBy = "Town hall volunteer"
        props.created = XLSX_FIXED_TIME
        buf = io.BytesIO()
        wb.save(buf)
        path = self.root / "raw" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_deterministic_zip(buf.getvalue()))
        total = sum(s["data_rows"] for s in sheet_info)
        self.files.append(FileRecord(rel, kind, layout, "xlsx", None, "-", total, sheet_info))
        return rel


def _deterministic_zip(data: bytes) -> bytes:
    """Re-pack an XLSX with fixed entry times and a fixed `modified` property."""
    stamp = XLSX_FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                start = text.index("<dcterms:modified")
                end = text.index("</dcterms:modified>")
                head = text[start:end].split(">", 1)[0] + ">"
                text = text[:start] + head + stamp + text[end:]
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Small helpers: dates, formats, messy renderings
# --------------------------------------------------------------------------------------------


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def age_of(d: dt.date) -> int:
    return (AS_OF - d).days


def at_age(rng: random.Random, age: int, hours: tuple[int, int] = (8, 22)) -> dt.datetime:
    """A datetime `age` days before AS_OF, at a random time of day."""
    base = dt.datetime.combine(AS_OF - dt.timedelta(days=age), dt.time())
    seconds = rng.randrange(hours[0] * 3600, hours[1] * 3600)
    return base + dt.timedelta(seconds=seconds)


def pick_age(rng: random.Random, person: Person, first: dt.date, last: dt.date) -> int | None:
    """An action age inside both the campaign window and the person's window, or None."""
    lo = max(person.min_age, age_of(last))
    hi = min(person.joined_age, age_of(first))
    if lo > hi:
        return None
    return rng.randint(lo, hi)


def weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k items without replacement, deterministic (Efraimidis-Spirakis keys)."""
    keyed = sorted(
        ((rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0), reverse=True
    )
    return [items[i] for _, i in keyed[:k]]


def add_duplicate(rng: random.Random, rows: list[Row], group: str, at_end: bool = False) -> None:
    """Copy one ordinary row: right after it (a double submission) or at the end (re-export)."""
    i = rng.choice([n for n, r in enumerate(rows) if not r.marks])
    rows[i].marks.append(("exact_duplicate_row", {"group": group, "copy": "first"}))
    copy = Row(
        dict(rows[i].values),
        rows[i].pid,
        [("exact_duplicate_row", {"group": group, "copy": "duplicate"})],
    )
    rows.insert(len(rows) if at_end else i + 1, copy)


def ascii_fold(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text)
    return "".join(c for c in norm if c.isalnum() and ord(c) < 128)


def fmt_naive(ts: dt.datetime) -> str:  # Mailchimp, letters tool
    return ts.strftime("%Y-%m-%d %H:%M:%S")


def fmt_us_short(ts: dt.datetime) -> str:  # Eventbrite order date: 11/29/24 22:28
    return f"{ts.month}/{ts.day}/{ts:%y} {ts.hour}:{ts:%M}"


def fmt_us_long(ts: dt.datetime) -> str:  # Google Forms (US locale): 4/9/2021 12:25:42
    return f"{ts.month}/{ts.day}/{ts.year} {ts.hour}:{ts:%M:%S}"


def fmt_us_minutes(ts: dt.datetime) -> str:  # Excel-saved US sheet: 3/5/2026 14:22
    return f"{ts.month}/{ts.day}/{ts.year} {ts.hour}:{ts:%M}"


def fmt_eventbrite_event(ts: dt.datetime) -> str:  # Sep 26, 2026 7:05 PM
    hour = ts.hour % 12 or 12
    return f"{ts:%b} {ts.day}, {ts.year} {hour}:{ts:%M} {'PM' if ts.hour >= 12 else 'AM'}"


def fmt_uk(ts: dt.datetime) -> str:  # consultation sheets: 03/10/2026 14:22
    return ts.strftime("%d/%m/%Y %H:%M")


def fmt_offset_pacific(ts: dt.datetime) -> str:  # Indiegogo: 2015-10-05 01:00:27 -0700
    dst = dt.datetime(ts.year, 3, 8) <= ts < dt.datetime(ts.year, 11, 1)
    return f"{fmt_naive(ts)} {'-0700' if dst else '-0800'}"


def render_email(rng: random.Random, email: str, mess: float = 0.12) -> str:
    """The address as someone typed it: sometimes capitalised or with stray spaces."""
    r = rng.random()
    if "@" not in email:
        return email
    if r < mess * 0.5:
        local, domain = email.split("@")
        return f"{local[:1].upper()}{local[1:]}@{domain[:1].upper()}{domain[1:]}"
    if r < mess * 0.8:
        return email.upper() if rng.random() < 0.3 else f" {email}"
    if r < mess:
        return f"{email} "
    return email


def render_phone(rng: random.Random, e164: str, excel: bool = False) -> str:
    if e164.startswith("+1"):
        a, b, c = e164[2:5], e164[5:8], e164[8:]
        forms = [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}{b}{c}", f"+1 {a} {b} {c}",
                 f"1({a}) {b}-{c}", f"{a}.{b}.{c}"]  # fmt: skip
    else:
        national = "0" + e164[3:]
        if national.startswith("07"):
            spaced = f"{national[:5]} {national[5:]}"
        elif national.startswith("02"):
            spaced = f"{national[:3]} {national[3:7]} {national[7:]}"
        else:
            spaced = f"{national[:4]} {national[4:7]} {national[7:]}"
        forms = [spaced, national, f"+44 {spaced[1:]}", e164]
        if excel:
            forms.append(national[1:])  # Excel ate the leading zero
    return rng.choice(forms)


def render_zip(rng: random.Random, zip5: str, lose_zero: bool = False) -> str:
    if lose_zero and zip5.startswith("0"):
        return zip5.lstrip("0") if rng.random() < 0.8 else zip5
    r = rng.random()
    if r < 0.08:
        return f"{zip5}-{rng.randint(1000, 9999)}"
    return zip5


def render_postcode(rng: random.Random, postcode: str, messy: float = 0.4) -> str:
    r = rng.random()
    if r < messy * 0.5:
        return postcode.replace(" ", "").lower()
    if r < messy * 0.75:
        return postcode.lower()
    if r < messy:
        return postcode.replace(" ", "")
    return postcode


def render_postal(rng: random.Random, person: Person, lose_zero: bool = False) -> str:
    if not person.postal:
        return ""
    if person.country == "US":
        return render_zip(rng, person.postal, lose_zero)
    return render_postcode(rng, person.postal)


def yes_value(rng: random.Random, choices: list[str]) -> str:
    return rng.choice(choices)


# --------------------------------------------------------------------------------------------
# Building people
# --------------------------------------------------------------------------------------------


class People:
    """Makes unique fake people; keeps e-mails and phones unique unless a case shares them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.all: list[Person] = []
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.postcodes: set[str] = set()
        self.names: set[tuple[str, str]] = set()
        self._uk_phone_next = 900100
        self._us_phone_next: dict[str, int] = {}

    def email_for(self, first: str, last: str) -> str:
        f, surname = ascii_fold(first).lower(), ascii_fold(last).lower()
        rng = self.rng
        pattern = rng.choice(["{f}.{l}", "{f}{l}", "{f0}{l}", "{f}_{l}{n}", "{f}{n}"])
        domain = rng.choice(EMAIL_DOMAINS)
        for attempt in range(50):
            n = rng.randint(2, 99) if attempt or "{n}" in pattern else ""
            local = pattern.format(f=f, l=surname, f0=f[:1], n=n or "")
            if attempt and "{n}" not in pattern:
                local = f"{local}{n}"
            email = f"{local}@{domain}"
            if email not in self.emails:
                self.emails.add(email)
                return email
        raise RuntimeError("could not make a unique e-mail")

    def us_phone(self, area: str) -> str | None:
        """The next unused number in the fictional 555-0101..0199 block (None when used up)."""
        n = self._us_phone_next.get(area, 101)
        if n > 199:
            return None
        self._us_phone_next[area] = n + 1
        phone = f"+1{area}5550{n:03d}"
        self.phones.add(phone)
        return phone

    def uk_mobile(self) -> str:
        n = self._uk_phone_next
        self._uk_phone_next += 1
        phone = f"+447700{n}"
        self.phones.add(phone)
        return phone

    def uk_postcode(self, outward: str) -> str:
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        for _ in range(100):
            inward = f"{self.rng.randint(1, 9)}{self.rng.choice(letters)}{self.rng.choice(letters)}"
            pc = f"{outward} {inward}"
            if pc not in self.postcodes:
                self.postcodes.add(pc)
                return pc
        raise RuntimeError("no free postcode")

    def make(
        self,
        profile: str,
        *,
        first: str | None = None,
        last: str | None = None,
        email: str | None = "auto",
        country: str | None = None,
        city: str | None = None,
        phone: str | None = "auto",
        postal: str | None = "auto",
        joined_age: int | None = None,
        min_age: int = 1,
        interests: list[str] | None = None,
    ) -> Person:
        rng = self.rng
        if not (first and last):  # random names are unique: no accidental namesakes
            for _ in range(200):
                f, la = first or rng.choice(FIRST_NAMES), last or rng.choice(LAST_NAMES)
                if (f, la) not in self.names:
                    break
            first, last = f, la
        self.names.add((first, last))
        country = country or ("US" if rng.random() < US_SHARE else "GB")
        ward = None
        if country == "US":
            area = (
                next(a for a in US_AREAS if a[1] == city)
                if city
                else rng.choices(US_AREAS, US_AREA_WEIGHTS)[0]
            )
            state, city, district, zips, area_code = area[:5]
            region = state
            if postal == "auto":
                postal = rng.choice(zips)
            if phone == "auto":
                phone = self.us_phone(area_code) if rng.random() < 0.7 else None
        else:
            area = (
                next(a for a in UK_AREAS if a[0] == city)
                if city
                else rng.choices(UK_AREAS, UK_AREA_WEIGHTS)[0]
            )
            city, region, district, outwards, _landline, wards = area[:6]
            if postal == "auto":
                postal = self.uk_postcode(rng.choice(outwards))
            if phone == "auto":
                phone = self.uk_mobile() if rng.random() < 0.75 else None
            if wards:
                ward = rng.choice(wards)
        if email == "auto":
            email = self.email_for(first, last)
        elif email:
            self.emails.add(email)
        if interests is None:
            interests = rng.sample(ISSUES, rng.choice([1, 1, 2, 2, 3]))
        if joined_age is None:  # many joined the list before the 18 months of history
            joined_age = {
                "new": rng.randint(1, 30),
                "lapsed": rng.randint(200, HISTORY_DAYS),
                "subscriber": rng.randint(20, HISTORY_DAYS),
            }.get(profile, rng.randint(100, HISTORY_DAYS))
            if profile in ("active", "lapsed", "super", "subscriber") and rng.random() < 0.45:
                joined_age = rng.randint(HISTORY_DAYS + 1, 1400)
        person = Person(
            pid=f"P{len(self.all) + 1:04d}",
            first=first,
            last=last,
            email=email,
            phone=phone,
            country=country,
            city=city,
            region=region,
            district=district,
            postal=postal,
            ward=ward,
            interests=interests,
            profile=profile,
            joined_age=joined_age,
            min_age=min_age,
        )
        self.all.append(person)
        return person


def build_people(rng: random.Random) -> tuple[People, dict[str, Person]]:
    """The population plus the named people the planted cases need."""
    people = People(rng)
    planted: dict[str, Person] = {}
    p = people.make
    # -- identity cases --------------------------------------------------------------------
    planted["rosa"] = p("planted", first="Rosa", last="Sampleton", email="rosa@example.org",
                        country="US", city="Rockford", joined_age=240,
                        interests=["housing", "transit"])  # fmt: skip
    office = "+18155550100"
    people.phones.add(office)
    planted["office_a"] = p("planted", first="Dana", last="Mockridge", country="US",
                            city="Rockford", phone=office, joined_age=300,
                            email="dana.mockridge@example.org")  # fmt: skip
    planted["office_b"] = p("planted", first="Eli", last="Testwood", country="US",
                            city="Rockford", phone=office, joined_age=280,
                            email="eli.testwood@example.net")  # fmt: skip
    for i, (first, last) in enumerate([("Ana", "Reyes-Sample"), ("Bo", "Fixture"),
                                       ("Cy", "Demoson"), ("Di", "Stubbs"),
                                       ("Ed", "Modelton"), ("Flo", "Trialby")]):  # fmt: skip
        planted[f"role_{i}"] = p("planted", first=first, last=last,
                                 email="info@riverside-tenants.example.org",
                                 country="US", city="Rockford",
                                 joined_age=200 - i * 20)  # fmt: skip
    planted["work_home"] = p(
        "planted",
        first="Kemi",
        last="Draftsby",
        country="US",
        city="Chicago",
        joined_age=260,
        email="kemi.draftsby@example.com",
        phone=people.us_phone("312"),
    )
    # -- consent cases ---------------------------------------------------------------------
    for key, city in [("unsub_undated_yes", "Leeds"), ("unsub_undated_yes_2", "Leeds"),
                      ("unsub_older_dated_yes", "Boston"), ("unsub_newer_optin", "Rockford"),
                      ("an_unsub_mc_sub", "Rockford"), ("cleaned_yes", "Chicago")]:  # fmt: skip
        country = "GB" if city == "Leeds" else "US"
        planted[key] = p("planted", country=country, city=city, joined_age=400)
    # -- no-email attachment cases ---------------------------------------------------------
    planted["by_phone_1"] = p("planted", country="US", city="Rockford", joined_age=300,
                              phone=people.us_phone("815"))  # fmt: skip
    planted["by_phone_2"] = p("planted", country="US", city="Boston", joined_age=250,
                              phone=people.us_phone("617"))  # fmt: skip
    planted["by_phone_uk"] = p("planted", country="GB", city="Leeds", joined_age=220,
                               phone=people.uk_mobile())  # fmt: skip
    planted["by_name_1"] = p("planted", first="Noor", last="Casewell", country="GB",
                             city="Leeds", joined_age=330)  # fmt: skip
    planted["by_name_2"] = p("planted", first="Hugo", last="Checkley", country="GB",
                             city="Leeds", joined_age=310)  # fmt: skip
    twin_pc = people.uk_postcode("LS6")
    planted["twin_a"] = p("planted", first="Sam", last="Dummett", country="GB", city="Leeds",
                          postal=twin_pc, joined_age=350)  # fmt: skip
    planted["twin_b"] = p("planted", first="Sam", last="Dummett", country="GB", city="Leeds",
                          postal=twin_pc, joined_age=340)  # fmt: skip
    planted["chris_known"] = p("planted", first="Chris", last="Placeholder", country="GB",
                               city="Leeds", joined_age=280)  # fmt: skip
    planted["chris_anon"] = p("planted", first="Chris", last="Placeholder", country="GB",
                              city="Leeds", email=None, phone=None, postal=None,
                              joined_age=age_of(TOWN_HALL[2]))  # fmt: skip
    planted["name_other_pc"] = p("planted", first="Wren", last="Pilotman", country="GB",
                                 city="Leeds", joined_age=300)  # fmt: skip
    planted["name_other_pc_walkin"] = p("planted", first="Wren", last="Pilotman", country="GB",
                                        city="Leeds", email=None, phone=None,
                                        joined_age=age_of(TOWN_HALL[2]))  # fmt: skip
    planted["accented"] = p("planted", first="José", last="Núñez-Test", country="US",
                            city="Chicago", joined_age=260)  # fmt: skip
    # -- the population --------------------------------------------------------------------
    for profile, count in PROFILE_COUNTS.items():
        for i in range(count):
            if profile == "new":
                joined = rng.randint(1, 7) if i < NEW_7D else rng.randint(8, 30)
                person = p("new", joined_age=joined)
            elif profile == "petition_only":
                person = p("petition_only", joined_age=rng.randint(3, 30))
            elif profile == "lapsed":
                person = p("lapsed", min_age=rng.randint(95, 180))
            elif profile == "offline":  # Rockford callers and Leeds walk-ins
                us = i % 2 == 0
                person = p(
                    "offline",
                    email=None,
                    joined_age=rng.randint(14, 400),
                    country="US" if us else "GB",
                    city="Rockford" if us else "Leeds",
                    phone=people.us_phone("815") if us else "auto",
                )
            else:
                person = p(profile)
            if profile == "lapsed" and person.joined_age <= person.min_age:
                person.joined_age = person.min_age + rng.randint(30, 200)
    return people, planted


# --------------------------------------------------------------------------------------------
# Choosing who takes part in what
# --------------------------------------------------------------------------------------------


def choose(
    rng: random.Random,
    people: list[Person],
    k: int,
    first: dt.date,
    last: dt.date,
    issue: str | None = None,
    where=None,
    profiles: tuple[str, ...] | None = None,
) -> list[tuple[Person, int]]:
    """Up to k (person, action age) pairs: people active in the window, issue fans first."""
    pool, weights, ages = [], [], {}
    for person in people:
        if where is not None and not where(person):
            continue
        if profiles is not None and person.profile not in profiles:
            continue
        weight = PROFILE_WEIGHT[person.profile] if profiles is None else 1.0
        if weight <= 0:
            continue
        age = pick_age(rng, person, first, last)
        if age is None:
            continue
        if issue and issue in person.interests:
            weight *= 4
        pool.append(person)
        weights.append(weight)
        ages[person.pid] = age
    chosen = weighted_sample(rng, pool, weights, k)
    return [(person, ages[person.pid]) for person in chosen]


# --------------------------------------------------------------------------------------------
# Writers, one per kind
# --------------------------------------------------------------------------------------------


class Generator:
    def __init__(self, out: Output, seed: int) -> None:
        self.rng = random.Random(seed)
        self.out = out
        self.people, self.planted = build_people(self.rng)
        self.everyone = self.people.all
        self.first_seen: dict[str, dt.datetime] = {}
        self.cases: dict[str, dict] = {}
        self.hints: dict[str, list[str]] = {}
        self.kind = ""  # action type recorded by `seen` while a writer runs

    # -- shared bits -----------------------------------------------------------------------

    def seen(self, person: Person, ts: dt.datetime, kind: str | None = None) -> None:
        """Record an action (type defaults to the writer's `self.kind`) for first-seen/hints."""
        person.actions += 1
        person.log.append((ts, kind or self.kind))
        prev = self.first_seen.get(person.pid)
        if prev is None or ts < prev:
            self.first_seen[person.pid] = ts

    def hint(self, name: str, person: Person) -> None:
        if person.email and person.email not in self.hints.setdefault(name, []):
            self.hints[name].append(person.email)

    # -- contacts --------------------------------------------------------------------------

    def contacts(self) -> None:
        rng, pl = self.rng, self.planted
        self.kind = "signup"
        header = list(CONTACTS_HEADER)
        start, end = AS_OF - dt.timedelta(days=HISTORY_DAYS), AS_OF - dt.timedelta(days=1)
        picks = choose(rng, self.everyone, 110, start, end)
        picked = {p.pid for p, _ in picks}
        for person in self.everyone:  # everyone who acts but is in no other file signs up here
            if (person.actions == 0 and person.pid not in picked
                    and person.profile in ("super", "active", "lapsed", "new")):  # fmt: skip
                age = pick_age(rng, person, start, end)
                if age is not None:
                    picks.append((person, age))
        rows: list[Row] = []
        yes_forms = ["Yes", "Yes", "Yes", "Y", "TRUE", "yes", "x", "✓", "1"]
        for person, age in picks:
            ts = at_age(rng, age)
            self.seen(person, ts)
            keep = yes_value(rng, yes_forms) if rng.random() < 0.8 else rng.choice(["No", "", "N"])
            rows.append(Row({
                "Date registered": fmt_us_minutes(ts), "First Name": person.first,
                "Last Name": person.last, "Email Address": render_email(rng, person.email or ""),
                "Zip/Postcode": render_postal(rng, person, lose_zero=True),
                "Phone": render_phone(rng, person.phone) if person.phone else "",
                "Keep me updated?": keep,
            }, person.pid))  # fmt: skip
        # planted: Rosa, spelled with capitals and a trailing space
        rosa = pl["rosa"]
        ts = at_age(rng, 240)
        self.seen(rosa, ts)
        rows.append(
            Row(
                {
                    "Date registered": fmt_us_minutes(ts),
                    "First Name": "Rosa",
                    "Last Name": "Sampleton",
                    "Email Address": "Rosa@Example.org ",
                    "Zip/Postcode": rosa.postal,
                    "Phone": "",
                    "Keep me updated?": "Yes",
                },
                rosa.pid,
                [("rosa_four_files", {"raw_email": "Rosa@Example.org "})],
            )
        )
        # planted: two people sharing the office phone, different e-mails
        for key, phone_text, age in [("office_a", "(815) 555-0100", 300),
                                     ("office_b", "815-555-0100", 280)]:  # fmt: skip
            person = pl[key]
            ts = at_age(rng, age)
            self.seen(person, ts)
            rows.append(Row({"Date registered": fmt_us_minutes(ts), "First Name": person.first,
                             "Last Name": person.last, "Email Address": person.email,
                             "Zip/Postcode": person.postal, "Phone": phone_text,
                             "Keep me updated?": "Yes"}, person.pid,
                            [("shared_office_phone", {"raw_email": person.email,
                                                      "raw_phone": phone_text})]))  # fmt: skip
        # planted: the role address, three of its six users sign up here
        for i in range(3):
            person = pl[f"role_{i}"]
            ts = at_age(rng, person.joined_age)
            self.seen(person, ts)
            raw = "info@riverside-tenants.example.org"
            if i == 1:
                raw = "Info@Riverside-Tenants.example.org"
            rows.append(
                Row(
                    {
                        "Date registered": fmt_us_minutes(ts),
                        "First Name": person.first,
                        "Last Name": person.last,
                        "Email Address": raw,
                        "Zip/Postcode": person.postal,
                        "Phone": "",
                        "Keep me updated?": "Yes",
                    },
                    person.pid,
                    [("role_address", {"raw_email": raw, "name": person.full})],
                )
            )
        # planted: an older dated "Yes" for someone who later unsubscribed in Mailchimp
        person = pl["unsub_older_dated_yes"]
        ts = dt.datetime(2025, 11, 3, 12, 15)
        self.seen(person, ts)
        rows.append(
            Row(
                {
                    "Date registered": fmt_us_minutes(ts),
                    "First Name": person.first,
                    "Last Name": person.last,
                    "Email Address": person.email,
                    "Zip/Postcode": render_postal(rng, person, lose_zero=True),
                    "Phone": "",
                    "Keep me updated?": "Yes",
                },
                person.pid,
                [
                    (
                        "unsub_older_dated_yes",
                        {"raw_email": person.email, "value": "Yes", "dated": fmt_naive(ts)},
                    )
                ],
            )
        )
        # planted: "Yes" in the form for an address Mailchimp cleaned later
        person = pl["cleaned_yes"]
        ts = dt.datetime(2026, 2, 11, 19, 40)
        self.seen(person, ts)
        rows.append(
            Row(
                {
                    "Date registered": fmt_us_minutes(ts),
                    "First Name": person.first,
                    "Last Name": person.last,
                    "Email Address": person.email,
                    "Zip/Postcode": person.postal,
                    "Phone": "",
                    "Keep me updated?": "Yes",
                },
                person.pid,
                [
                    (
                        "cleaned_but_yes",
                        {"raw_email": person.email, "value": "Yes", "dated": fmt_naive(ts)},
                    )
                ],
            )
        )
        # planted: known people the no-email records should attach to
        for key in ["by_phone_1", "by_phone_2", "by_phone_uk", "by_name_1", "by_name_2", "twin_a",
                    "twin_b",
                    "chris_known", "name_other_pc", "work_home"]:  # fmt: skip
            person = pl[key]
            ts = at_age(rng, person.joined_age)
            self.seen(person, ts)
            rows.append(Row({"Date registered": fmt_us_minutes(ts), "First Name": person.first,
                             "Last Name": person.last, "Email Address": person.email,
                             "Zip/Postcode": render_postal(rng, person, lose_zero=True),
                             "Phone": render_phone(rng, person.phone) if person.phone else "",
                             "Keep me updated?": "Yes"}, person.pid))  # fmt: skip
        # planted: an invalid e-mail
        bob = self.people.make("planted", first="Bob", last="Fixture", email=None, country="US",
                               city="Hartford", joined_age=150)  # fmt: skip
        ts = at_age(rng, 150)
        rows.append(
            Row(
                {
                    "Date registered": fmt_us_minutes(ts),
                    "First Name": "Bob",
                    "Last Name": "Fixture",
                    "Email Address": "bob@",
                    "Zip/Postcode": render_zip(rng, bob.postal or "", lose_zero=True),
                    "Phone": "",
                    "Keep me updated?": "Yes",
                },
                bob.pid,
                [("invalid_email", {"raw_email": "bob@"})],
            )
        )
        rows.sort(key=lambda r: _us_sort_key(str(r.values["Date registered"])))
        self.out.write_csv("contacts", "website_signups.csv", header, rows,
                           "website sign-up form export (US dates M/D/YYYY H:MM)")  # fmt: skip

        # Street-stall list typed up in a European-locale Excel: semicolons, no dates.
        header = list(STREET_STALL_HEADER)
        leeds = [p for p in self.everyone if p.city == "Leeds" and p.email]
        picks = choose(rng, leeds, 30, day("2026-09-01"), day("2026-09-30"))
        rows = []
        for person, age in picks:
            self.seen(person, at_age(rng, age))
            name = f"{person.last}, {person.first}" if rng.random() < 0.3 else person.full
            rows.append(Row({"Name": name, "E-mail": render_email(rng, person.email or ""),
                             "Postcode": render_postcode(rng, person.postal or "", 0.7),
                             "Mobile": render_phone(rng, person.phone) if person.phone else "",
                             "Updates?": rng.choice(["✓", "✓", "Yes", "", "x", "no"])},
                            person.pid))  # fmt: skip
        for key in ["unsub_undated_yes", "unsub_undated_yes_2", "cleaned_yes"]:
            person = pl[key]
            value = "✓" if key != "unsub_undated_yes_2" else "Yes"
            case = "cleaned_but_yes" if key == "cleaned_yes" else "unsub_undated_yes"
            rows.insert(
                rng.randint(0, len(rows)),
                Row(
                    {
                        "Name": person.full,
                        "E-mail": person.email,
                        "Postcode": person.postal,
                        "Mobile": "",
                        "Updates?": value,
                    },
                    person.pid,
                    [(case, {"raw_email": person.email, "value": value, "dated": None})],
                ),
            )
        self.out.write_csv("contacts", "street_stall_signups_leeds_2026-09.csv", header, rows,
                           "street-stall sign-up sheet, semicolon-delimited, no dates",
                           delimiter=";")  # fmt: skip

    # -- petitions -------------------------------------------------------------------------

    def petitions(self) -> None:
        rng, pl = self.rng, self.planted
        self.kind = "petition"
        header = list(PETITION_HEADER)
        tag_pool = list(PETITION_TAG_POOL)
        for title, (issue, first, last, report_id, export_day) in PETITIONS.items():
            n = {"Clean Air for Every School": 95, "Cap the Rent": 130,
                 "Keep Clinics Open Late": 30}[title]  # fmt: skip
            picks = choose(rng, self.everyone, n, day(first), day(last), issue)
            if title == "Keep Clinics Open Late":
                picks += [(p, p.joined_age) for p in self.everyone if p.profile == "petition_only"]
            rows: list[Row] = []
            for person, age in picks:
                ts = at_age(rng, age, (0, 24))
                self.seen(person, ts)
                if person.profile == "petition_only":
                    self.hint("petition_only_no_next_step", person)
                rows.append(self._an_row(person, ts, title, tag_pool))
            if title == "Cap the Rent":
                rosa = pl["rosa"]
                ts = dt.datetime(2026, 6, 2, 20, 11, 5)
                self.seen(rosa, ts)
                row = self._an_row(rosa, ts, title, tag_pool)
                row.values["email"] = "mailto:rosa@example.org"
                row.marks.append(("rosa_four_files", {"raw_email": "mailto:rosa@example.org"}))
                rows.append(row)
                person = pl["an_unsub_mc_sub"]
                ts = dt.datetime(2026, 9, 1, 9, 12, 44)
                self.seen(person, ts)
                row = self._an_row(person, ts, title, tag_pool)
                row.values["can2_subscription_status"] = "unsubscribed"
                row.values["can2_subscription_date"] = fmt_naive(ts)
                row.marks.append(("an_unsubscribed_mc_subscribed",
                                  {"raw_email": person.email, "value": "unsubscribed",
                                   "dated": fmt_naive(ts)}))  # fmt: skip
                rows.append(row)
                for i in (3, 4):  # two more users of the role address
                    person = pl[f"role_{i}"]
                    ts = at_age(rng, person.joined_age)
                    self.seen(person, ts)
                    row = self._an_row(person, ts, title, tag_pool)
                    row.marks.append(
                        ("role_address", {"raw_email": person.email, "name": person.full})
                    )
                    rows.append(row)
                person = self.people.make(
                    "planted",
                    first="Pat",
                    last="Mockley",
                    email=None,
                    country="US",
                    city="Rockford",
                    joined_age=60,
                )
                ts = at_age(rng, 60)
                row = self._an_row(person, ts, title, tag_pool)
                row.values["email"] = "name at example.org"
                row.marks.append(("invalid_email", {"raw_email": "name at example.org"}))
                rows.append(row)
                work = pl["work_home"]
                ts = at_age(rng, 120)
                row = self._an_row(work, ts, title, tag_pool)
                row.values["email"] = "k.draftsby@work.example.net"
                row.values["can2_phone"] = render_phone(rng, work.phone or "")
                row.marks.append(("work_and_personal_email_same_phone",
                                  {"raw_email": "k.draftsby@work.example.net",
                                   "raw_phone": row.values["can2_phone"]}))  # fmt: skip
                rows.append(row)
            rows.sort(key=lambda r: str(r.values["created_date"]))
            if title == "Cap the Rent":  # a double submission and a row exported twice
                add_duplicate(rng, rows, "cap-the-rent-1")
                add_duplicate(rng, rows, "cap-the-rent-2", at_end=True)
            export = day(export_day)
            epoch = int(dt.datetime(export.year, export.month, export.day,
                                    tzinfo=dt.UTC).timestamp()) + 61_512  # fmt: skip
            name = f"export-{export_day}-csv_report_{report_id}_{epoch}.csv"
            rel = self.out.write_csv("petitions", name, header, rows,
                                     f"Action Network report export ({title})")  # fmt: skip
            if title == "Cap the Rent":
                self.out.copy_file(
                    "petitions",
                    rel,
                    name.replace(".csv", " (1).csv"),
                    "re-uploaded copy of the Cap the Rent export (same bytes)",
                )
                self.cases["reuploaded_file"] = {
                    "original": rel,
                    "copy": rel.replace(".csv", " (1).csv"),
                    "expected": "identical bytes; rows counted once",
                }

    def _an_row(self, person: Person, ts: dt.datetime, title: str, tag_pool: list[str]) -> Row:
        rng = self.rng
        tags = ", ".join(rng.sample(tag_pool, rng.randint(0, 3)))
        subscribed = rng.random() < 0.93
        return Row({
            "uuid": f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-"
                    f"4{rng.getrandbits(12):03x}-a{rng.getrandbits(12):03x}-"
                    f"{rng.getrandbits(48):012x}",
            "first_name": person.first if rng.random() > 0.03 else person.full,
            "last_name": person.last if rng.random() > 0.03 else "",
            "email": render_email(rng, person.email or "", 0.1),
            "zip_code": render_postal(rng, person),
            "can2_user_address": "",
            "can2_user_city": person.city if rng.random() < 0.6 else "",
            "can2_user_state": {"IL": "Illinois", "MA": "Massachusetts", "NJ": "New Jersey",
                                "CT": "Connecticut", "CA": "California", "NY": "New York"}.get(
                person.region, "") if person.country == "US" else "",
            "can2_state_abbreviated": person.region if person.country == "US" else "",
            "can2_county": "Winnebago" if person.city == "Rockford" else "",
            "can2_phone": render_phone(rng, person.phone) if person.phone and rng.random() < 0.5
            else "",
            "can2_sms_status": rng.choice(["", "", "subscribed", "unsubscribed"]),
            "can2_user_tags": tags,
            "can2_subscription_status": "subscribed" if subscribed else "unsubscribed",
            "can2_subscription_date": fmt_naive(ts),
            "can2_lifetime_value": rng.choice(["0", "0", "0", "25.0", "10.0"]),
            "action_title": title,
            "created_date": fmt_naive(ts),
            "comments": rng.choice(["", "", "", "", "Rents are out of control.",
                                    "Please act now", "My kids walk past the depot every day."]),
            "source_code": rng.choice(["", "email", "fb", "tw", "email_2026-05", "partner-union"]),
            "Volunteer_Phonebank to voters": rng.choice(["", "", "", "1"]),
        }, person.pid)  # fmt: skip

    # -- legislator contacts ---------------------------------------------------------------

    def legislator_contacts(self) -> None:
        rng, pl = self.rng, self.planted
        self.kind = "legislator_contact"
        header = list(LETTERS_HEADER)
        rows: list[Row] = []
        for subject, (issue, first, last, country) in LETTER_CAMPAIGNS.items():
            n = {"Fund Our Schools": 45, "Cap the Rent: write to your MP": 30,
                 "Bus Lanes Now": 40}[subject]  # fmt: skip
            picks = choose(
                rng,
                self.everyone,
                n,
                day(first),
                day(last),
                issue,
                where=lambda p, c=country: p.country == c and bool(p.email),
            )
            for person, age in picks:
                ts = at_age(rng, age)
                self.seen(person, ts)
                target, office = LEGISLATORS[person.district]
                rows.append(Row({
                    "first_name": person.first, "last_name": person.last,
                    "email": render_email(rng, person.email or ""),
                    "zip_code": render_postal(rng, person, lose_zero=True),
                    "target_name": target, "target_office": office, "district": person.district,
                    "channel": rng.choice(["letter", "letter", "email", "email", "call"]),
                    "subject": subject, "created_date": fmt_naive(ts),
                    "source": rng.choice(["email", "website", "fb", "partner-union", ""]),
                }, person.pid))  # fmt: skip
        rows.sort(key=lambda r: str(r.values["created_date"]))
        add_duplicate(rng, rows, "letters-1")
        self.out.write_csv("legislator_contacts", "letters_to_legislators.csv", header, rows,
                           "letter/e-mail-your-representative tool export")  # fmt: skip

        # Patch-through call log: no e-mail at all; callers known by phone (or not).
        header = list(CALL_LOG_HEADER)
        name, issue, first_day, last_day = CALL_CAMPAIGN
        picks = choose(
            rng,
            self.everyone,
            22,
            first_day,
            last_day,
            issue,
            where=lambda p: (
                p.country == "US"
                and bool(p.phone)
                and p.phone != "+18155550100"
                and p.profile in ("super", "active", "new")
            ),
        )
        rows = []

        def call_row(
            person: Person | None,
            ts: dt.datetime,
            phone: str,
            first: str,
            last: str,
            zip_text: str,
            district: str,
            marks=None,
        ) -> Row:
            return Row(
                {
                    "Call Time": fmt_naive(ts),
                    "Caller Phone": phone,
                    "Caller First Name": first,
                    "Caller Last Name": last,
                    "Caller Zip": zip_text,
                    "Target": LEGISLATORS[district][0],
                    "District": district,
                    "Duration (s)": str(rng.randint(25, 420)),
                    "Campaign": name,
                },
                person.pid if person else None,
                marks or [],
            )

        for person, age in picks:
            ts = at_age(rng, age, (9, 18))
            self.seen(person, ts)
            rows.append(call_row(person, ts, render_phone(rng, person.phone or ""),
                                 person.first if rng.random() < 0.7 else "",
                                 person.last if rng.random() < 0.6 else "",
                                 render_zip(rng, person.postal or "", lose_zero=True),
                                 person.district))  # fmt: skip
        for key, phone_text in [("by_phone_1", None), ("by_phone_2", None)]:
            person = pl[key]
            ts = at_age(rng, 1, (9, 18))
            self.seen(person, ts)
            phone_text = render_phone(rng, person.phone or "")
            rows.append(
                call_row(
                    person,
                    ts,
                    phone_text,
                    person.first,
                    "",
                    "",
                    person.district,
                    [
                        (
                            "attach_by_phone",
                            {"raw_phone": phone_text, "should_attach_to": person.email},
                        )
                    ],
                )
            )
        ts = at_age(rng, 2, (9, 18))
        rows.append(
            call_row(
                None,
                ts,
                "815.555.0100",
                "",
                "",
                "61101",
                "IL-16",
                [
                    (
                        "no_attach_shared_phone",
                        {
                            "raw_phone": "815.555.0100",
                            "reason": "phone used by two supporters (office phone)",
                        },
                    )
                ],
            )
        )
        for person in [p for p in self.everyone if p.profile == "offline" and p.country == "US"
                       and p.phone]:  # fmt: skip
            ts = at_age(rng, rng.randint(1, 2), (9, 18))
            self.seen(person, ts)
            rows.append(call_row(person, ts, render_phone(rng, person.phone or ""), person.first,
                                 person.last, render_zip(rng, person.postal or ""),
                                 person.district))  # fmt: skip
        rows.sort(key=lambda r: str(r.values["Call Time"]))
        self.out.write_csv("legislator_contacts", "call_in_day_2026-11-19_call_log.csv", header,
                           rows, "patch-through call tool log (no e-mails)")  # fmt: skip

    # -- events ----------------------------------------------------------------------------

    def events(self) -> None:
        rng, pl = self.rng, self.planted
        self.kind = "event_rsvp"
        header = list(EVENTBRITE_HEADER)
        order_no = 11211912243
        attendee_no = 18441583423
        for event, (issue, start, district, city, first_order) in EVENTS.items():
            starts = dt.datetime.fromisoformat(start)
            past = starts.date() < AS_OF
            last_order = min(starts.date() - dt.timedelta(days=1), AS_OF - dt.timedelta(days=1))
            n = {"Climate Picnic in the Park": 40, "Cap the Rent Town Hall": 45,
                 "Transit Forum: Buses for Rockford": 30}[event]  # fmt: skip
            local = [
                p
                for p in self.everyone
                if p.district == district
                or (  # + visitors
                    p.country == "US" and (past and starts.year == 2025 or rng.random() < 0.05)
                )
            ]
            picks = choose(rng, local, n, day(first_order), last_order, issue)
            if event == "Cap the Rent Town Hall":
                picks += [(pl["role_5"], age_of(dt.date(2026, 10, 5)))]
            rows: list[Row] = []
            for person, age in picks:
                ts = at_age(rng, age)
                order_no += rng.randint(3, 900)
                paid = rng.random() < 0.3
                quantity = 1 if rng.random() < 0.85 else rng.randint(2, 3)
                buyer_email = render_email(rng, person.email or "")
                guests = [person] + [  # family members on the buyer's order, no e-mail of their own
                    self.people.make("guest", last=person.last, email=None, phone=None,
                                     postal=None, country=person.country, city=person.city,
                                     joined_age=age)
                    for _ in range(quantity - 1)
                ]  # fmt: skip
                refunded = paid and rng.random() < 0.12
                for gi, guest in enumerate(guests):
                    attendee_no += rng.randint(1, 40)
                    if past:
                        if refunded:
                            checked = ""
                        elif person.profile == "super" or person is pl["rosa"]:
                            checked = "Yes"
                        else:
                            checked = rng.choice(["Yes", "Yes", "Yes", "No", "No", ""])
                    else:
                        checked = ""
                    status = "Refunded" if refunded else "Attending"
                    marks = []
                    if gi > 0:
                        marks.append(("guest_with_buyer_email", {
                            "raw_email": buyer_email, "buyer": person.full,
                            "guest": guest.full}))  # fmt: skip
                    if gi == 0:
                        self.seen(person, ts, "event_rsvp")
                        if checked == "Yes":
                            self.seen(person, starts, "event_attended")
                        elif past and status == "Attending":
                            self.hint("rsvp_no_show", person)
                    total = "0" if not paid else ("(15.00)" if refunded else "$15.00")
                    rows.append(Row({
                        "Order #": str(order_no), "Order Date": fmt_us_short(ts),
                        "First Name": guest.first, "Last Name": guest.last,
                        "Email": buyer_email, "Quantity": "1",
                        "Price Tier": "",
                        "Ticket Type": "Solidarity ticket" if paid else "General Admission",
                        "Attendee #": str(attendee_no), "Group": "",
                        "Order Type": "Eventbrite Completed" if paid else "Free Order",
                        "Currency": "USD", "Total Paid": total,
                        "Fees Paid": "0" if not paid else ("(1.42)" if refunded else "1.42"),
                        "Eventbrite Fees": "0", "Eventbrite Payment Processing": "0",
                        "Attendee Status": status, "Checked In": checked, "Event Name": event,
                        "Event Date": fmt_eventbrite_event(starts),
                        "Home Address 1": "", "Home Address 2": "",
                        "Home City": city if rng.random() < 0.5 else "",
                        "Home State": person.region if rng.random() < 0.5 else "",
                        "Home Zip": render_zip(rng, person.postal or "") if gi == 0 else "",
                        "Home Country": "US",
                        "Cell Phone": render_phone(rng, person.phone) if person.phone and gi == 0
                        else "",
                        "How did you hear about this event?": rng.choice(
                            ["Email", "Facebook", "A friend", "Flyer", ""]),
                        "Are you a member?": rng.choice(["Yes", "No", ""]),
                        "Job Title": "", "Company": "",
                    }, guest.pid, marks))  # fmt: skip
            for row in rows:
                if row.pid == pl["role_5"].pid:
                    row.marks.append(
                        (
                            "role_address",
                            {"raw_email": row.values["Email"], "name": pl["role_5"].full},
                        )
                    )
            if event == "Cap the Rent Town Hall":
                rows[3].values["Home Address 1"] = "1200 Placeholder Ave\nApt 4B"  # quoted newline
                person = self.people.make(
                    "planted",
                    first="Lee",
                    last="Samplewell",
                    email=None,
                    country="US",
                    city="Rockford",
                    joined_age=40,
                )
                attendee_no += 7
                rows.append(
                    Row(
                        {
                            **rows[0].values,
                            "Order #": str(order_no + 17),
                            "First Name": "Lee",
                            "Last Name": "Samplewell",
                            "Email": "@example.net",
                            "Attendee #": str(attendee_no),
                            "Checked In": "No",
                            "Home Zip": person.postal,
                            "Cell Phone": "",
                        },
                        person.pid,
                        [("invalid_email", {"raw_email": "@example.net"})],
                    )
                )
            slug = event.lower().replace(":", "").replace(" ", "-")
            layout = "Eventbrite attendee report" + (" (upcoming event: RSVPs only)"
                                                     if not past else "")  # fmt: skip
            self.out.write_csv("events", f"eventbrite_attendee_report_{slug}.csv", header, rows,
                               layout)  # fmt: skip
        self._town_hall_xlsx()

    def _town_hall_xlsx(self) -> None:
        rng, pl = self.rng, self.planted
        self.kind = "event_attended"
        event, issue, when = TOWN_HALL
        starts = dt.datetime.combine(when, dt.time(18, 0))
        leeds = [p for p in self.everyone if p.city == "Leeds"]
        picks = choose(rng, leeds, 32, when, when, issue)
        picks += [(p, age_of(when)) for p in self.everyone
                  if p.profile == "offline" and p.city == "Leeds"]  # fmt: skip
        h1, h2 = list(TOWN_HALL_HEADERS[0]), list(TOWN_HALL_HEADERS[1])
        typo = {"Sampleton": "Sampelton", "Mockridge": "Mockrige", "Exampleton": "Exampelton"}
        sheets: list[list[Row | None]] = [[], []]
        for i, (person, _age) in enumerate(picks):
            self.seen(person, starts)
            last = typo.get(person.last, person.last) if rng.random() < 0.3 else person.last
            email = person.email if person.email and rng.random() < 0.8 else ""
            phone: object = ""
            if person.phone and rng.random() < 0.6:
                phone = render_phone(rng, person.phone, excel=True)
                if phone.isdigit() and rng.random() < 0.7:
                    phone = int(phone)  # typed as a number: leading zero gone
            values = [f"{person.first} {last}", render_email(rng, email) if email else "",
                      phone, render_postcode(rng, person.postal or "", 0.8) if person.postal
                      and rng.random() < 0.85 else "", person.ward or "",
                      rng.choice(["Y", "N", "", "y"]), rng.choice(["Y", "Yes", "", "N"]),
                      event, when]  # fmt: skip
            sheet = 0 if i < len(picks) * 2 // 3 else 1
            header = h1 if sheet == 0 else h2
            sheets[sheet].append(Row(dict(zip(header, values, strict=True)), person.pid))

        # planted no-email rows
        def walk_in(sheet: int, name: str, phone: object, postcode: str, pid: str | None,
                    case: str, info: dict) -> None:  # fmt: skip
            header = h1 if sheet == 0 else h2
            values = [name, "", phone, postcode, "Headingley & Hyde Park", "", "Y", event, when]
            sheets[sheet].append(Row(dict(zip(header, values, strict=True)), pid, [(case, info)]))

        p1, p2 = pl["by_name_1"], pl["by_name_2"]
        pc1 = (p1.postal or "").replace(" ", "").lower()
        pc2 = (p2.postal or "").lower()
        walk_in(
            0,
            p1.full,
            "",
            pc1,
            p1.pid,
            "attach_by_name_postcode",
            {"name": p1.full, "raw_postcode": pc1, "should_attach_to": p1.email},
        )
        walk_in(
            1,
            p2.full.upper(),
            "",
            pc2,
            p2.pid,
            "attach_by_name_postcode",
            {"name": p2.full.upper(), "raw_postcode": pc2, "should_attach_to": p2.email},
        )
        uk = pl["by_phone_uk"]
        uk_phone = int("0" + uk.phone[3:]) if uk.phone else ""  # number cell: 7700900xxx
        walk_in(
            0,
            uk.first,
            uk_phone,
            "",
            uk.pid,
            "attach_by_phone",
            {
                "raw_phone": str(uk_phone),
                "should_attach_to": uk.email,
                "note": "phone typed as a number, leading 0 lost",
            },
        )
        twin = pl["twin_a"]
        walk_in(
            1,
            "Sam Dummett",
            "",
            (twin.postal or "").replace(" ", ""),
            None,
            "no_attach_ambiguous_name_postcode",
            {
                "name": "Sam Dummett",
                "raw_postcode": (twin.postal or "").replace(" ", ""),
                "reason": "two supporters share this name and postcode",
                "candidates": [pl["twin_a"].email, pl["twin_b"].email],
            },
        )
        chris = pl["chris_anon"]
        walk_in(
            0,
            "Chris Placeholder",
            "",
            "",
            chris.pid,
            "no_email_no_postcode",
            {
                "name": "Chris Placeholder",
                "reason": "no e-mail, phone or postcode; a supporter with the same name exists",
                "must_not_attach_to": pl["chris_known"].email,
            },
        )
        wren = pl["name_other_pc_walkin"]
        walk_in(
            1,
            "Wren Pilotman",
            "",
            (wren.postal or "").lower(),
            wren.pid,
            "no_attach_name_other_postcode",
            {
                "name": "Wren Pilotman",
                "raw_postcode": (wren.postal or "").lower(),
                "reason": "same name as a supporter but a different postcode",
                "must_not_attach_to": pl["name_other_pc"].email,
            },
        )
        for person_key in ("by_name_1", "by_name_2", "by_phone_uk"):
            self.seen(pl[person_key], starts)
        rng.shuffle(sheets[0])
        rng.shuffle(sheets[1])
        # blank rows: between entries and at the end, as typed sheets have
        for sheet in sheets:
            for _ in range(2):
                sheet.insert(rng.randint(1, len(sheet) - 1), None)
            sheet.extend([None, None])
        self.out.write_xlsx("events", f"townhall_signin_leeds-housing_{when}.xlsx",
                            [("Sign-in", h1, sheets[0]), ("Sign-in (2)", h2, sheets[1])],
                            "typed-up town-hall sign-in sheet, two sheets")  # fmt: skip

    # -- consultations ---------------------------------------------------------------------

    def consultations(self) -> None:
        rng = self.rng
        self.kind = "consultation"
        answers_q1 = CONSULTATION_ANSWERS["transit"][0]
        answers_q2 = CONSULTATION_ANSWERS["transit"][1]
        answers_q3 = CONSULTATION_ANSWERS_Q3
        for stem, (issue, first, last, city) in CONSULTATIONS.items():
            header = consultation_header(issue)
            pool = [p for p in self.everyone if p.country == "GB" and p.email
                    and (p.city == city or rng.random() < 0.5)]  # fmt: skip
            picks = choose(rng, pool, 60 if issue == "transit" else 35, day(first), day(last),
                           issue)  # fmt: skip
            rows: list[Row] = []
            for i, (person, age) in enumerate(sorted(picks, key=lambda x: -x[1])):
                ts = at_age(rng, age)
                self.seen(person, ts)
                q1 = rng.choice(
                    answers_q1 if issue == "transit" else CONSULTATION_ANSWERS[issue][0]
                )
                q2 = rng.choice(
                    answers_q2 if issue == "transit" else CONSULTATION_ANSWERS[issue][1]
                )
                rows.append(Row({
                    "Response ID": f"ANON-{rng.randint(100, 999)}-{i + 1:04d}",
                    "Submitted": fmt_uk(ts), "Email": render_email(rng, person.email or ""),
                    "Postcode": render_postcode(rng, person.postal or "", 0.85),
                    header[4]: q1, header[5]: q2, header[6]: rng.choice(answers_q3),
                    header[7]: rng.choice(["Yes", "Yes", "No", ""]),
                }, person.pid))  # fmt: skip
            add_duplicate(rng, rows, stem.split("_")[0] + "-1")
            self.out.write_csv(
                "consultations",
                f"{stem}.csv",
                header,
                rows,
                "UK consultation response sheet (DD/MM/YYYY dates)",
            )

    # -- stories ---------------------------------------------------------------------------

    def stories(self) -> None:
        rng, pl = self.rng, self.planted
        self.kind = "story"
        header = list(STORY_SHARES_HEADER)
        slugs = STORY_SLUGS
        rows: list[Row] = []
        for campaign in STORY_CAMPAIGNS:
            issue = {"Cap the Rent": "housing", "Keep Clinics Open Late": "healthcare",
                     "Bus Lanes Now": "transit"}[campaign]  # fmt: skip
            first = {"Cap the Rent": "2026-05-20", "Keep Clinics Open Late": "2026-10-21",
                     "Bus Lanes Now": "2026-09-15"}[campaign]  # fmt: skip
            picks = choose(rng, self.everyone, 18, day(first), AS_OF - dt.timedelta(days=1),
                           issue, where=lambda p: bool(p.email))  # fmt: skip
            for person, age in picks:
                ts = at_age(rng, age)
                self.seen(person, ts)
                network = rng.choice(["facebook", "x", "whatsapp", "email", "bluesky"])
                rows.append(Row({"shared_at": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                 "email": render_email(rng, person.email or ""),
                                 "network": network, "story_slug": rng.choice(slugs[campaign]),
                                 "campaign": campaign,
                                 "ref_code": f"share-{network[:2]}-{rng.randint(1000, 9999)}"},
                                person.pid))  # fmt: skip
        rows.sort(key=lambda r: str(r.values["shared_at"]))
        self.out.write_csv("stories", "story_shares.csv", header, rows,
                           "story-share tracking export (ISO timestamps, Z)")  # fmt: skip

        # Story submissions saved from Excel on Windows: cp1252, smart quotes, CRLF.
        header = list(STORY_SUBMISSIONS_HEADER)
        stories = STORY_TEXTS
        candidates = [p for p in self.everyone if p.email and p.profile in ("active", "super")]
        accented = [p for p in candidates if any(ord(c) > 127 for c in p.full)][:6]
        others = [p for p in candidates if p not in accented]
        chosen = accented + weighted_sample(rng, others, [1.0] * len(others), 8)
        chosen.append(pl["accented"])
        rows = []
        for person in chosen:
            age = pick_age(rng, person, day("2026-05-20"), AS_OF - dt.timedelta(days=1))
            if age is None:
                continue
            ts = at_age(rng, age)
            self.seen(person, ts)
            campaign = rng.choice(STORY_CAMPAIGNS)
            rows.append(Row({"Submitted": fmt_us_minutes(ts), "Name": person.full,
                             "Email": render_email(rng, person.email or ""),
                             "ZIP / Postcode": render_postal(rng, person, lose_zero=True),
                             "Campaign": campaign,
                             "Your story": rng.choice(stories[campaign]),
                             "Can we publish your story?": rng.choice(["Yes", "No",
                                                                       "Yes – first name only"])},
                            person.pid))  # fmt: skip
        rows.sort(key=lambda r: _us_sort_key(str(r.values["Submitted"])))
        self.cases["windows_1252_file"] = {
            "file": "stories/share_your_story_submissions.csv",
            "accented_names": [r.values["Name"] for r in rows
                               if any(ord(c) > 127 for c in str(r.values["Name"]))],
            "smart_quotes": ["’", "“", "”", "—", "…", "–"],
        }  # fmt: skip
        self.out.write_csv("stories", "share_your_story_submissions.csv", header, rows,
                           "story submission form saved from Excel (Windows-1252, CRLF)",
                           encoding="cp1252", crlf=True)  # fmt: skip

    # -- volunteers ------------------------------------------------------------------------

    def volunteers(self) -> None:
        rng, pl = self.rng, self.planted
        self.kind = "volunteer_signup"
        header = list(VOLUNTEER_HEADER)
        first, last = day(VOLUNTEER_WINDOW[0]), day(VOLUNTEER_WINDOW[1])
        picks = choose(rng, self.everyone, 48, first, last, None,
                       where=lambda p: bool(p.email))  # fmt: skip
        picked = {p.pid for p, _ in picks}
        for person in self.everyone:  # super-activists volunteer (and lead: 3+ shifts)
            if person.profile == "super" and person.pid not in picked:
                age = pick_age(rng, person, first, AS_OF - dt.timedelta(days=60))
                if age is not None:
                    picks.append((person, age))
        rows: list[Row] = []
        for person, age in picks:
            ts = at_age(rng, age)
            self.seen(person, ts)
            row = self._volunteer_row(person, ts)
            rows.append(row)
        for key, ts, consent, case in [
            ("rosa", dt.datetime(2026, 7, 11, 10, 2, 9), VOLUNTEER_CONSENT_LABEL,
             "rosa_four_files"),
            ("unsub_newer_optin", dt.datetime(2026, 10, 5, 19, 26, 31), VOLUNTEER_CONSENT_LABEL,
             "unsub_then_newer_evidenced_optin"),
        ]:  # fmt: skip
            person = pl[key]
            self.seen(person, ts)
            row = self._volunteer_row(person, ts)
            row.values["I consent to being contacted"] = consent
            if key == "rosa":
                row.values["Email Address"] = "<rosa@example.org>"
                row.marks.append((case, {"raw_email": "<rosa@example.org>"}))
            else:
                row.marks.append(
                    (
                        case,
                        {
                            "raw_email": row.values["Email Address"],
                            "value": consent,
                            "dated": fmt_naive(ts),
                        },
                    )
                )
            rows.append(row)
        sam = self.people.make("planted", first="Sam", last="Specimen", email=None, country="GB",
                               city="Bristol", joined_age=90)  # fmt: skip
        ts = at_age(rng, 90)
        row = self._volunteer_row(sam, ts)
        row.values["Email Address"] = "sam@@example.com"
        row.marks.append(("invalid_email", {"raw_email": "sam@@example.com"}))
        rows.append(row)
        rows.sort(key=lambda r: _us_sort_key(str(r.values["Timestamp"])))
        self.out.write_csv(
            "volunteers",
            "volunteer_signups (Responses).csv",
            header,
            rows,
            "Google Forms responses sheet + staff onboarding columns",
        )

    def _volunteer_row(self, person: Person, ts: dt.datetime) -> Row:
        rng = self.rng
        issues = [VOLUNTEER_ISSUE_LABELS[i] for i in ISSUES if i in person.interests]
        signup_age = age_of(ts.date())
        shifts: list[dt.date] = []
        status = rng.choice(["Onboarded", "Onboarded", "Trained", "Invited to training",
                             "Not started", ""])  # fmt: skip
        if person.profile == "super":
            status = "Onboarded"
        training = ""
        if status in ("Onboarded", "Trained") and signup_age > 10:
            t = ts.date() + dt.timedelta(days=rng.randint(5, 20))
            limit = AS_OF - dt.timedelta(days=person.min_age)
            training = t.isoformat() if t <= limit else ""
        latest = AS_OF - dt.timedelta(days=person.min_age)
        if status == "Onboarded" and training and day(training) < latest - dt.timedelta(days=4):
            n = 4 if person.profile == "super" else rng.randint(1, 3)
            start = day(training)
            for _ in range(n):
                d = start + dt.timedelta(days=rng.randint(3, max(4, (latest - start).days)))
                if d <= latest and d not in shifts:
                    shifts.append(d)
            shifts.sort()
            for d in shifts:
                self.seen(person, dt.datetime.combine(d, dt.time(10)), "volunteer_shift")
        if not shifts and signup_age > 30:
            self.hint("volunteer_not_onboarded", person)
        phone = ""
        if person.phone:
            phone = render_phone(rng, person.phone)
        return Row({
            "Timestamp": fmt_us_long(ts), "Email Address": render_email(rng, person.email or ""),
            "Full name": person.full, "Mobile": phone,
            "Postcode / ZIP": render_postal(rng, person, lose_zero=True),
            "Availability": ", ".join(rng.sample(["Weekday evenings", "Weekends", "Mornings"],
                                                 rng.randint(1, 2))),
            "Which issues matter most to you?": ", ".join(issues),
            "I consent to being contacted": VOLUNTEER_CONSENT_LABEL if rng.random() < 0.8 else "",
            "Onboarding status": status, "Training date": training,
            "Shift dates": ", ".join(d.isoformat() for d in shifts),
        }, person.pid)  # fmt: skip

    # -- donations -------------------------------------------------------------------------

    def donations(self) -> None:
        rng, pl = self.rng, self.planted
        self.kind = "donation"
        slug, issue, first, last = DONATION_CAMPAIGN
        header = list(DONATION_HEADER)
        picks = choose(rng, self.everyone, 45, day(first), day(last), issue,
                       where=lambda p: bool(p.email))  # fmt: skip
        picks.append((pl["accented"], age_of(day("2026-06-30"))))
        rows: list[Row] = []
        order = 1129
        perks = list(DONATION_PERKS)
        for person, age in picks:
            ts = at_age(rng, age, (0, 24))
            self.seen(person, ts)
            perk_id, perk, amount = rng.choice(perks)
            if amount == 0:
                amount = rng.choice([5, 10, 20, 25, 100])
            order += rng.randint(1, 9)
            refunded = rng.random() < 0.07
            name = person.full
            marks = []
            if person is pl["accented"]:
                name = name.encode("utf-8").decode("latin-1")  # mojibake: JosÃ© NÃºÃ±ez-Test
                marks.append(("mojibake_name", {"raw_name": name, "real_name": person.full}))
            zip_text = ""
            if person.country == "US" and person.postal:
                zip_text = f'="{person.postal}"' if rng.random() < 0.6 else person.postal
            elif person.postal:
                zip_text = person.postal
            rows.append(Row({
                "Perk ID": perk_id, "Order No.": str(order),
                "Pledge ID": str(13620900 + order * 7),
                "Fulfillment Status": "Refunded" if refunded else rng.choice(
                    ["Order Placed", "Fulfilled", "Order Placed"]),
                "Funding Date": fmt_offset_pacific(ts),
                "Payment Method": rng.choice(["PayPal", "Credit Card", "FirstGiving"]),
                "Appearance": rng.choice(["Visible", "Anonymous", "Visible"]),
                "Name": name, "Email": render_email(rng, person.email or ""),
                "Amount": f"({amount:.2f})" if refunded else rng.choice([f"${amount}",
                                                                         f"${amount}.00"]),
                "Perk": perk, "Shipping Name": name if perk_id else "",
                "Shipping Address": "", "Shipping Address 2": "",
                "Shipping City": person.city if perk_id else "",
                "Shipping State/Province": person.region if perk_id else "",
                "Shipping Zip/Postal Code": zip_text if perk_id else "",
                "Shipping Country": ("United States" if person.country == "US"
                                     else "United Kingdom") if perk_id else "",
            }, person.pid, marks))  # fmt: skip
        rows.sort(key=lambda r: str(r.values["Funding Date"]))
        self.out.write_csv(
            "donations",
            f"indiegogo_{slug}_contributions.csv",
            header,
            rows,
            'Indiegogo contributions export ($ amounts, offsets, ="0…" ZIPs)',
        )

    # -- Mailchimp audience and activity ---------------------------------------------------

    def assign_mailchimp(self) -> None:
        """Who is in the audience, since when, and who unsubscribed or bounced."""
        rng, pl = self.rng, self.planted
        for person in self.everyone:
            if not person.email or person.profile in ("guest", "offline"):
                continue
            if person.email == "info@riverside-tenants.example.org":
                continue
            share = {"subscriber": 1.0, "super": 1.0, "active": 0.88, "lapsed": 0.85,
                     "new": 0.6, "petition_only": 0.55, "planted": 0.0}[person.profile]  # fmt: skip
            if rng.random() >= share:
                continue
            first = at_age(rng, person.joined_age)
            seen = self.first_seen.get(person.pid)
            if seen is not None and seen < first:
                first = seen
            person.optin_at = first + dt.timedelta(minutes=rng.randint(1, 600))
            if person.optin_at.date() >= AS_OF:
                person.optin_at = first
            person.mailchimp = "subscribed"
            r = rng.random()
            if person.profile in ("active", "lapsed", "subscriber") and r < 0.09:
                person.mailchimp = "unsubscribed"
            elif person.profile in ("lapsed", "subscriber") and r < 0.13:
                person.mailchimp = "cleaned"
            kind = rng.random()
            person.proxy_opener = kind < 0.22
            base_open = {
                "super": 0.85,
                "active": 0.6,
                "lapsed": 0.35,
                "subscriber": 0.3,
                "new": 0.6,
                "petition_only": 0.5,
                "planted": 0.5,
            }[person.profile]
            if person.profile == "subscriber" and rng.random() < 0.25:
                base_open = 0.0  # never opens
            person.opens = base_open
            person.clicks = {"super": 0.5, "active": 0.3, "new": 0.3}.get(person.profile, 0.12)
            if rng.random() < 0.3:
                person.clicks = 0.0  # opens but never clicks
        # planted people with fixed Mailchimp histories
        fixed = {
            "rosa": ("subscribed", dt.datetime(2026, 3, 24, 8, 10, 0), None),
            "office_a": ("subscribed", dt.datetime(2026, 2, 1, 9, 0, 0), None),
            "office_b": ("subscribed", dt.datetime(2026, 2, 20, 9, 30, 0), None),
            "unsub_undated_yes": (
                "unsubscribed",
                dt.datetime(2025, 10, 2, 10, 0, 0),
                dt.datetime(2026, 4, 2, 21, 14, 3),
            ),
            "unsub_undated_yes_2": (
                "unsubscribed",
                dt.datetime(2025, 10, 20, 10, 0, 0),
                dt.datetime(2026, 6, 18, 7, 45, 10),
            ),
            "unsub_older_dated_yes": (
                "unsubscribed",
                dt.datetime(2025, 11, 3, 12, 20, 0),
                dt.datetime(2026, 8, 10, 16, 2, 55),
            ),
            "unsub_newer_optin": (
                "unsubscribed",
                dt.datetime(2025, 7, 1, 12, 0, 0),
                dt.datetime(2025, 10, 20, 11, 31, 0),
            ),
            "an_unsub_mc_sub": ("subscribed", dt.datetime(2025, 12, 1, 13, 5, 0), None),
            "cleaned_yes": (
                "cleaned",
                dt.datetime(2025, 9, 18, 10, 2, 0),
                dt.datetime(2026, 6, 18, 3, 12, 40),
            ),
            "by_phone_1": ("subscribed", dt.datetime(2025, 12, 10, 9, 0, 0), None),
            "by_name_1": ("subscribed", dt.datetime(2026, 1, 8, 9, 0, 0), None),
        }
        for key, (status, optin, changed) in fixed.items():
            person = pl[key]
            person.mailchimp, person.optin_at, person.status_changed_at = status, optin, changed
            person.opens, person.clicks = 0.5, 0.2
        # unsubscribe / clean times for the population, after a campaign they received
        sends = [dt.datetime.combine(day(d), dt.time(14, 0)) for d, _s, _i in EMAIL_CAMPAIGNS]
        for person in self.everyone:
            if person.mailchimp in ("unsubscribed", "cleaned") and person.status_changed_at is None:
                after = [s for s in sends if person.optin_at and s > person.optin_at]
                if not after:
                    person.mailchimp = "subscribed"
                    continue
                send = rng.choice(after)
                lag = dt.timedelta(minutes=rng.randint(1, 60 * 72) if person.mailchimp ==
                                   "unsubscribed" else rng.randint(0, 3))  # fmt: skip
                person.status_changed_at = min(
                    send + lag, dt.datetime.combine(AS_OF - dt.timedelta(days=1), dt.time(12))
                )

    def campaign_title(self, slug: str) -> str:
        return slug.replace("-", " ").capitalize()

    def mailchimp_members(self) -> None:
        rng = self.rng
        base = list(MAILCHIMP_BASE_HEADER)
        extra = MAILCHIMP_STATUS_HEADERS
        audience_hash = "3f9a1c7e2b"
        campaign_ids = {slug: f"{rng.getrandbits(40):010x}" for _d, slug, _i in EMAIL_CAMPAIGNS}
        leids = rng.sample(range(40_000_000, 60_000_000), len(self.everyone))
        for status in ("subscribed", "unsubscribed", "cleaned"):
            members = sorted((p for p in self.everyone if p.mailchimp == status),
                             key=lambda p: p.optin_at or dt.datetime.min)  # fmt: skip
            rows: list[Row] = []
            for person in members:
                assert person.optin_at is not None and person.email
                optin = person.optin_at
                confirm = optin + dt.timedelta(seconds=rng.randint(30, 7200))
                if confirm.date() >= AS_OF:
                    confirm = optin
                changed = person.status_changed_at or confirm
                if status == "subscribed" and rng.random() < 0.3:
                    changed = max(confirm, at_age(rng, rng.randint(1, 200)))
                us = person.country == "US"
                area = (next(a for a in US_AREAS if a[1] == person.city) if us
                        else next(a for a in UK_AREAS if a[0] == person.city))  # fmt: skip
                lat, lon = (area[5], area[6]) if us else (area[6], area[7])
                tz = area[7] if us else "Europe/London"
                gmt, dst = {
                    "America/Chicago": ("-6", "-5"),
                    "America/New_York": ("-5", "-4"),
                    "America/Los_Angeles": ("-8", "-7"),
                }.get(tz, ("0", "1"))
                tags: list[str] = []
                if person.profile == "super":
                    tags.append("VIP")
                if person.city == "Rockford":
                    tags.append("Rockford")
                if person.interests and rng.random() < 0.3:
                    tags.append(person.interests[0].capitalize())
                if status == "subscribed":
                    tag_cell = ",".join(f'"{t}"' for t in tags)  # cell value "VIP","Rockford"
                else:
                    tag_cell = ", ".join(t.lower() for t in tags)  # cell value vip, rockford
                geo = rng.random() < 0.7
                values = {
                    "Email Address": person.email,
                    "First Name": person.first, "Last Name": person.last,
                    "ZIP code": person.postal if rng.random() < 0.7 else "",
                    "Phone Number": render_phone(rng, person.phone) if person.phone and
                    rng.random() < 0.5 else "",
                    "MMERGE5": rng.choice(["", "", "petition", "website", "event"]),
                    "MEMBER_RATING": str({"super": 5, "active": 4, "new": 3}.get(
                        person.profile, rng.choice([1, 2, 2, 3]))),
                    "OPTIN_TIME": fmt_naive(optin),
                    "OPTIN_IP": f"203.0.113.{rng.randint(1, 254)}",
                    "CONFIRM_TIME": fmt_naive(confirm),
                    "CONFIRM_IP": f"198.51.100.{rng.randint(1, 254)}",
                    "LATITUDE": f"{lat + rng.uniform(-0.05, 0.05):.7f}" if geo else "",
                    "LONGITUDE": f"{lon + rng.uniform(-0.05, 0.05):.7f}" if geo else "",
                    "GMTOFF": gmt if geo else "", "DSTOFF": dst if geo else "",
                    "TIMEZONE": tz if geo else "", "CC": ("US" if us else "GB") if geo else "",
                    "REGION": person.region if geo else "",
                    "LAST_CHANGED": fmt_naive(changed),
                    "LEID": str(leids[int(person.pid[1:]) - 1]),
                    "EUID": f"{rng.getrandbits(40):010x}", "NOTES": "", "TAGS": tag_cell,
                }  # fmt: skip
                if status != "subscribed":
                    assert person.status_changed_at is not None
                    slug = self._campaign_before(person.status_changed_at)
                    prefix = "UNSUB" if status == "unsubscribed" else "CLEAN"
                    values[f"{prefix}_TIME"] = fmt_naive(person.status_changed_at)
                    values[f"{prefix}_CAMPAIGN_TITLE"] = self.campaign_title(slug) if slug else ""
                    values[f"{prefix}_CAMPAIGN_ID"] = campaign_ids[slug] if slug else ""
                    if status == "unsubscribed":
                        values["UNSUB_REASON"] = rng.choice(
                            ["NORMAL", "NOSIGNUP", "INAPPROPRIATE", "SPAM", "OTHER", ""]
                        )
                        values["UNSUB_REASON_OTHER"] = (
                            "Too many emails" if values["UNSUB_REASON"] == "OTHER" else ""
                        )
                    self.hint(f"mailchimp_{status}", person)
                marks = []
                if person is self.planted["rosa"]:
                    marks.append(("rosa_four_files", {"raw_email": person.email}))
                for key, case in [("unsub_undated_yes", "unsub_undated_yes"),
                                  ("unsub_undated_yes_2", "unsub_undated_yes"),
                                  ("unsub_older_dated_yes", "unsub_older_dated_yes"),
                                  ("unsub_newer_optin", "unsub_then_newer_evidenced_optin"),
                                  ("an_unsub_mc_sub", "an_unsubscribed_mc_subscribed"),
                                  ("cleaned_yes", "cleaned_but_yes")]:  # fmt: skip
                    if person is self.planted[key]:
                        marks.append((case, {"raw_email": person.email, "value": status,
                                             "dated": fmt_naive(person.status_changed_at or
                                                                optin)}))  # fmt: skip
                rows.append(Row(values, person.pid, marks))
            self.out.write_csv(
                "mailchimp_members",
                f"{status}_members_export_{audience_hash}.csv",
                base + extra[status],
                rows,
                f"Mailchimp audience export, {status} file (status only in the file name)",
                bom=True,
                crlf=True,
                quote_all=True,
            )

    def _campaign_before(self, ts: dt.datetime) -> str | None:
        before = [slug for d, slug, _i in EMAIL_CAMPAIGNS
                  if dt.datetime.combine(day(d), dt.time(14, 0)) <= ts]  # fmt: skip
        return before[-1] if before else None

    def email_activity(self) -> None:
        rng = self.rng
        audiences = {  # who a recent targeted send goes to (others go to everyone subscribed)
            "housing-town-hall-invite": lambda p: (
                p.district in ("IL-16",) or p.city == "Leeds" or "housing" in p.interests
            ),
            "bus-lanes-now-alert": lambda p: "transit" in p.interests or p.city == "Rockford",
            "clinic-call-in-day": lambda p: "healthcare" in p.interests,
        }
        recent_counts: dict[str, int] = {}
        stats: dict[str, list[int]] = {}  # pid -> [received, non-proxy opens, clicks]
        for n, (send_day, slug, _issue) in enumerate(EMAIL_CAMPAIGNS):
            sent_at = dt.datetime.combine(day(send_day), dt.time(14, 0)) + dt.timedelta(
                minutes=rng.randint(0, 50)
            )
            target = audiences.get(slug, lambda p: True)
            recipients = [
                p for p in self.everyone
                if p.mailchimp and p.optin_at and p.optin_at < sent_at and target(p)
                and (p.status_changed_at is None or p.status_changed_at >= sent_at)
            ]  # fmt: skip
            sent_rows, open_rows, click_rows = [], [], []
            urls = [f"https://example.org/act/{slug}", f"https://example.org/donate?utm_campaign="
                    f"{slug}", "https://example.org/events"]  # fmt: skip
            for person in recipients:
                stamp = sent_at + dt.timedelta(seconds=rng.randint(0, 240))
                sent_rows.append(Row({"Email": person.email, "Timestamp": fmt_naive(stamp)},
                                     person.pid))  # fmt: skip
                stats.setdefault(person.pid, [0, 0, 0])[0] += 1
                if age_of(sent_at.date()) <= 7:
                    recent_counts[person.pid] = recent_counts.get(person.pid, 0) + 1
                if (
                    person.mailchimp == "cleaned"
                    and person.status_changed_at
                    and person.status_changed_at < sent_at + dt.timedelta(days=1)
                ):
                    continue  # this is the send that bounced
                opened = rng.random() < (0.95 if person.proxy_opener else person.opens)
                if not opened:
                    continue
                times = []
                if person.proxy_opener:
                    times.append(stamp + dt.timedelta(seconds=rng.randint(1, 59)))
                if not person.proxy_opener or rng.random() < person.opens:
                    first_open = stamp + dt.timedelta(minutes=rng.randint(3, 60 * 48))
                    times.append(first_open)
                    if rng.random() < 0.35:
                        times.append(first_open + dt.timedelta(minutes=rng.randint(5, 60 * 24)))
                times = [t for t in times if t.date() < AS_OF]
                for t in times:
                    open_rows.append(Row({"Email": person.email, "Timestamp": fmt_naive(t)},
                                         person.pid))  # fmt: skip
                human = [t for t in times if t - stamp > dt.timedelta(minutes=2)]
                if human:
                    stats[person.pid][1] += 1
                if human and rng.random() < person.clicks:
                    click = human[0] + dt.timedelta(seconds=rng.randint(5, 300))
                    if click.date() < AS_OF:
                        stats[person.pid][2] += 1
                        for url in rng.sample(urls, rng.randint(1, 2)):
                            click_rows.append(Row({"Email": person.email,
                                                   "Timestamp": fmt_naive(click), "Url": url},
                                                  person.pid))  # fmt: skip
            for rows in (sent_rows, open_rows, click_rows):
                rows.sort(key=lambda r: (str(r.values["Timestamp"]), str(r.values["Email"])))
            sent_header, open_header, click_header = email_activity_headers(n)
            for report, header, rows in [("sent-to", sent_header, sent_rows),
                                         ("opened", open_header, open_rows),
                                         ("clicked", click_header, click_rows)]:  # fmt: skip
                self.out.write_csv(
                    "email_activity",
                    f"{report}_{send_day}_{slug}.csv",
                    header,
                    rows,
                    f"Mailchimp campaign report export ({report})",
                )
        self.recent_email_counts = dict(recent_counts)
        over = sorted(pid for pid, c in recent_counts.items() if c > 3)
        by_pid = {p.pid: p for p in self.everyone}
        self.hints["over_contact_cap_7d"] = [by_pid[pid].email or "" for pid in over]
        self.hints["opened_never_clicked"] = [
            by_pid[pid].email or "" for pid, (sent, opens, clicks) in sorted(stats.items())
            if sent >= 3 and opens >= 1 and clicks == 0
        ]  # fmt: skip

    # -- texts and calls (contact pressure on every channel) --------------------------------

    def texts_and_calls(self) -> None:
        """A Spoke-style message export per texting campaign and a ThruTalk-style call results
        file, to people already in the sample (US, subscribed in Mailchimp, their phone on the
        Mailchimp row so identity finds them by phone). Planted: one person over the overall
        cap though under every channel's (3 e-mails + 1 text + 1 call in the week), one over
        the SMS cap (3 texting campaigns in the week), one who texts STOP (an SMS opt-out that
        leaves e-mail consent alone), and one whose only answered call is outside the window.
        Its own random stream, so the files written before it do not change."""
        rng = random.Random(SEED + 4)  # texts and calls only
        truth_rows = {(f, n): pid for f, _s, n, pid in self.out.truth}
        mc_file = "mailchimp_members/subscribed_members_export_3f9a1c7e2b.csv"
        mc_text = (self.out.root / "raw" / mc_file).read_bytes().decode("utf-8-sig")
        phone_on_row = set()
        for number, rec in enumerate(csv.DictReader(io.StringIO(mc_text, newline="")), start=2):
            if rec["Phone Number"].strip():
                phone_on_row.add(truth_rows[(mc_file, number)])
        phone_owners: dict[str, int] = {}
        for person in self.everyone:
            if person.phone:
                phone_owners[person.phone] = phone_owners.get(person.phone, 0) + 1
        recent = self.recent_email_counts
        pool = sorted(
            (p for p in self.everyone
             if p.pid in phone_on_row and p.country == "US" and p.mailchimp == "subscribed"
             and p.phone and phone_owners[p.phone] == 1 and p.email
             and not p.email.startswith("info@") and p.pid not in self.planted_pids()),
            key=lambda p: (not _behaviour(p), p.pid),
        )  # fmt: skip
        cross = next(p for p in pool if recent.get(p.pid, 0) == 3)
        sms_heavy = next(p for p in pool if recent.get(p.pid, 0) <= 1 and p is not cross)
        used = {cross.pid, sms_heavy.pid}
        # everyone else has at most 2 e-mails in the week, so only the planted people pass a cap
        quiet = [p for p in pool if p.pid not in used and recent.get(p.pid, 0) <= 2]
        stopper, old_call, others = quiet[0], quiet[1], quiet[2:16]
        org_number = "+18155550199"
        campaigns = [  # (send day, campaign slug in the file name, recipients)
            ("2026-10-20", "cap-the-rent", [sms_heavy, *others[:3]]),
            ("2026-11-16", "bus-lanes-now", [cross, sms_heavy, stopper, *others[:6]]),
            ("2026-11-18", "clinic-call-in-day", [sms_heavy, *others[6:10]]),
            ("2026-11-19", "town-hall-reminder", [sms_heavy, *others[10:13]]),
        ]
        header = ["assignmentId", "userNumber", "contactNumber", "isFromContact", "sendStatus",
                  "attemptedAt", "text"]  # fmt: skip
        scripts = {
            "cap-the-rent": "Hi {first}, it's Sam with Riverside Tenants. Can we count on you to "
            "sign the Cap the Rent petition? Reply STOP to opt out",
            "bus-lanes-now": "Hi {first}, the council votes on bus lanes Thursday. Will you "
            "call your councillor? Reply STOP to opt out",
            "clinic-call-in-day": "Hi {first}, tomorrow is our clinic call-in day. Can you make "
            "one call? Reply STOP to opt out",
            "town-hall-reminder": "Hi {first}, see you at the town hall? Reply STOP to opt out",
        }
        replies = ["Yes, count me in", "Will do!", "Who is this?", "Maybe, busy that day"]
        for send_day, slug, recipients in campaigns:
            rows: list[Row] = []
            assignment = rng.randint(2000, 2999)
            start = dt.datetime.combine(day(send_day), dt.time(16, 0))
            for person in recipients:
                sent = start + dt.timedelta(seconds=rng.randint(0, 3600))
                status = "DELIVERED"
                if person is others[5] and slug == "bus-lanes-now":
                    status = "ERROR"  # a failed send: recorded, never counted as received
                text = scripts[slug].format(first=person.first)
                row = Row({"assignmentId": assignment, "userNumber": org_number,
                           "contactNumber": person.phone, "isFromContact": "false",
                           "sendStatus": status,
                           "attemptedAt": sent.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                           "text": text}, person.pid)  # fmt: skip
                if person is cross:
                    mark = {"raw_phone": person.phone, "email": person.email, "channel": "sms"}
                    row.marks.append(("cross_channel_pressure", mark))
                if person is sms_heavy and slug != "cap-the-rent":
                    row.marks.append(("over_sms_cap", {
                        "raw_phone": person.phone, "email": person.email}))  # fmt: skip
                rows.append(row)
                if status != "DELIVERED":
                    continue
                answer = None
                if person is stopper:
                    answer = "STOP"
                elif rng.random() < 0.35:
                    answer = rng.choice(replies)
                if answer:
                    reply = Row({"assignmentId": assignment, "userNumber": org_number,
                                 "contactNumber": person.phone, "isFromContact": "true",
                                 "sendStatus": "DELIVERED",
                                 "attemptedAt": (sent + dt.timedelta(minutes=rng.randint(2, 90)))
                                 .strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                                 "text": answer}, person.pid)  # fmt: skip
                    if person is stopper:
                        reply.marks.append(("sms_stop_reply", {
                            "raw_phone": person.phone, "email": person.email}))  # fmt: skip
                    rows.append(reply)
            rows.sort(key=lambda r: str(r.values["attemptedAt"]))
            self.out.write_csv(
                "sms_messages",
                f"spoke_{slug}_messages_{send_day}.csv",
                header,
                rows,
                "Spoke campaign message export",
            )
        call_header = ["Voter ID", "Voter ID Type", "Voter First Name", "Voter Last Name",
                       "Voter Phone", "Date Called", "Time Called (EST)", "Caller Login",
                       "Result"]  # fmt: skip
        calls: list[tuple[Person, str, str]] = [
            (cross, "2026-11-18", "Talking to Correct Person"),
            (old_call, "2026-11-09", "Talking to Correct Person"),
            (old_call, "2026-11-18", "No Answer"),
            (others[0], "2026-11-18", "Answering Machine"),
            (others[1], "2026-11-18", "Refused"),
            (others[2], "2026-11-18", "Busy Signal"),
            (others[3], "2026-11-09", "Talking to Correct Person"),
            (others[4], "2026-11-18", "Wrong Number"),
            (others[6], "2026-11-18", "Talking to Correct Person"),
        ]
        call_rows: list[Row] = []
        for person, called_on, result in calls:
            row = Row({"Voter ID": rng.randint(100000, 999999), "Voter ID Type": "VAN",
                       "Voter First Name": person.first, "Voter Last Name": person.last,
                       "Voter Phone": person.phone.removeprefix("+1"),
                       "Date Called": called_on,
                       "Time Called (EST)": f"{rng.randint(17, 20)}:{rng.randint(0, 59):02d}",
                       "Caller Login": f"volunteer{rng.randint(1, 12):02d}", "Result": result},
                      person.pid)  # fmt: skip
            if person is cross:
                row.marks.append(("cross_channel_pressure", {
                    "raw_phone": person.phone.removeprefix("+1"), "email": person.email,
                    "channel": "call"}))  # fmt: skip
            if person is old_call:
                row.marks.append(("call_outside_cap_window", {
                    "raw_phone": person.phone.removeprefix("+1"), "email": person.email,
                    "result": result}))  # fmt: skip
            call_rows.append(row)
        call_rows.sort(key=lambda r: (str(r.values["Date Called"]), str(r.values["Voter ID"])))
        self.out.write_csv(
            "calls",
            "thrutalk_clinic-phonebank_results_2026-11-18.csv",
            call_header,
            call_rows,
            "ThruTalk call results export",
        )
        self.hint("over_contact_cap_all_channels", cross)
        self.hint("over_contact_cap_sms", sms_heavy)
        self.hint("sms_opt_out_email_kept", stopper)

    def planted_pids(self) -> set[str]:
        """People another planted case uses (kept out of the texting and calling sample)."""
        pids = {p.pid for p in self.planted.values() if isinstance(p, Person)}
        row_people = {(f, n): q for f, _s, n, q in self.out.truth}
        for rows in self.out.marks.values():
            for ref in rows:
                pid = row_people.get((ref["file"], ref["row_number"]))
                if pid:
                    pids.add(pid)
        return pids

    # -- the whole set ---------------------------------------------------------------------

    def run(self) -> None:
        self.petitions()
        self.legislator_contacts()
        self.events()
        self.consultations()
        self.stories()
        self.volunteers()
        self.donations()
        self.contacts()  # last of the action sources: it catches people seen nowhere else
        self.assign_mailchimp()
        self.mailchimp_members()
        self.email_activity()
        self.texts_and_calls()
        self.write_meta()

    def behaviour_hints(self, people: list[Person]) -> dict[str, list[str]]:
        hints: dict[str, list[str]] = {}
        for person in people:
            if not person.email or person.email.startswith("info@"):
                continue
            for name in _behaviour(person):
                hints.setdefault(name, []).append(person.email)
        return {k: sorted(v) for k, v in sorted(hints.items())}

    def write_meta(self) -> None:
        out, pl = self.out, self.planted
        (out.root / "AS_OF").write_text(AS_OF.isoformat() + "\n", encoding="utf-8")
        cases = dict(self.cases)
        expectations = {
            "rosa_four_files": "one supporter, e-mail rosa@example.org",
            "shared_office_phone": "two supporters: a shared phone never merges people who have "
            "different e-mails",
            "role_address": "the shared role address links more records than "
            "identity_max_group_size (5): not merged through it, reported as skipped",
            "unsub_undated_yes": "unsubscribed: an undated sheet 'Yes' is no evidence",
            "unsub_older_dated_yes": "unsubscribed: the 'Yes' is older than the unsubscribe",
            "unsub_then_newer_evidenced_optin": "emailable in the warehouse: a newer, timestamped "
            "form opt-in restores consent (the sync still never flips a Mailchimp-unsubscribed "
            "member back to subscribed; Mailchimp needs the person to re-confirm)",
            "an_unsubscribed_mc_subscribed": "unsubscribed: the Action Network unsubscribe is "
            "newer than the Mailchimp opt-in",
            "cleaned_but_yes": "cleaned, not emailable: the form 'Yes' is older or undated",
            "invalid_email": "address rejected as invalid; never used as an identity",
            "exact_duplicate_row": "the row and its copy count once",
            "guest_with_buyer_email": "guests of a multi-ticket order carry the buyer's e-mail; "
            "attendee key is Attendee #",
            "attach_by_phone": "record without e-mail attaches to the one supporter with this "
            "phone",
            "attach_by_name_postcode": "record without e-mail attaches to the one supporter with "
            "this first name, last name and postcode",
            "no_attach_shared_phone": "not attached: the phone belongs to two supporters",
            "no_attach_ambiguous_name_postcode": "not attached: two supporters match",
            "no_email_no_postcode": "stays its own record; never attached to the namesake",
            "no_attach_name_other_postcode": "not attached: same name, different postcode",
            "work_and_personal_email_same_phone": "linked only by phone to a supporter with "
            "another e-mail; e-mail-first rules keep two supporters (records with an e-mail are "
            "not attached by phone)",
            "cross_channel_pressure": "3 e-mails, 1 text and 1 answered call in the last 7 days: "
            "under every channel's cap, over the overall cap of 4 (seed contact_caps), so held "
            "out of segments that respect the cap with contact_cap_channels = all",
            "over_sms_cap": "3 texting campaigns in the last 7 days (an older one does not "
            "count): over the SMS cap of 2, held out with contact_cap_channels = sms",
            "sms_stop_reply": "an SMS opt-out (consent_events channel sms, unsubscribed); the "
            "person's e-mail consent is unchanged (still emailable)",
            "call_outside_cap_window": "the answered call (2026-11-09) is outside the 7-day "
            "window and the later one was not answered: no call counts toward the cap",
        }
        for case, rows in sorted(out.marks.items()):
            cases[case] = {"expected": expectations.get(case, ""), "rows": rows}
        cases["rosa_four_files"]["canonical_email"] = pl["rosa"].email
        cases["shared_office_phone"]["phone_e164"] = "+18155550100"
        cases["role_address"]["email"] = "info@riverside-tenants.example.org"
        cases["work_and_personal_email_same_phone"]["personal_email"] = pl["work_home"].email
        cases["work_and_personal_email_same_phone"]["phone_e164"] = pl["work_home"].phone
        in_files = {pid for _f, _s, _n, pid in out.truth if pid}
        people = [p for p in self.everyone if p.pid in in_files]
        meta = {
            "as_of": AS_OF.isoformat(),
            "seed": SEED,
            "paths": "relative to sample_data/raw (the same as raw_files.file_path); row_number "
            "as a spreadsheet shows it: header = 1, first data record = 2, XLSX rows keep the "
            "sheet's own numbers",
            "people": {
                "total": len(people),
                "by_profile": {
                    k: sum(1 for p in people if p.profile == k)
                    for k in sorted({p.profile for p in people})
                },  # fmt: skip
                "created_but_in_no_file": sum(1 for p in self.everyone if p.pid not in in_files),
            },
            "files": [{k: v for k, v in vars(f).items() if v is not None} for f in out.files],
            "cases": cases,
            "segment_hints": {
                "note": "raw-data facts, before consent and identity rules; a segment may be a "
                "subset (e.g. only emailable people)",
                **self.behaviour_hints(people),
                **{k: sorted(v) for k, v in sorted(self.hints.items())},
            },
        }
        (out.root / "planted_cases.json").write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        truth_dir = out.root / "ground_truth"
        truth_dir.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["file", "sheet", "row_number", "person_id"])
        writer.writerows(sorted(out.truth, key=lambda t: (t[0], t[1], t[2])))
        (truth_dir / "row_people.csv").write_text(buf.getvalue(), encoding="utf-8")


HIGH_EFFORT = {"legislator_contact", "consultation", "event_attended"}


def _age(ts: dt.datetime) -> int:
    return (AS_OF - ts.date()).days


def _behaviour(person: Person) -> set[str]:
    """Which behaviour segments a person's generated actions put them in (docs/engagement.md §5)."""
    found: set[str] = set()
    log = [(_age(ts), kind) for ts, kind in person.log if _age(ts) >= 0]
    seen = [age for age, _k in log] + ([_age(person.optin_at)] if person.optin_at else [])
    if seen and max(seen) <= 30:
        found.add("new_30d")
    if seen and max(seen) <= 7:
        found.add("new_7d")
    if not log:
        return found
    recent = [(a, k) for a, k in log if a <= 90 and k != "event_rsvp"]
    if len(recent) > 4 and any(k in HIGH_EFFORT for _a, k in recent):
        found.add("super_activist")
    if min(a for a, _k in log) > 90:
        found.add("lapsed_90d")
    kinds = {k for _a, k in log}
    if kinds == {"petition"} and 3 <= max(a for a, _k in log) <= 30:
        found.add("petition_only_no_next_step")
    shifts = [a for a, k in log if k == "volunteer_shift" and a <= 365]
    if len(shifts) >= 3:
        found.add("volunteer_3_shifts_365d")
    return found


def _us_sort_key(text: str) -> tuple[int, ...]:
    date_part, _, time_part = text.partition(" ")
    m, d, y = (int(x) for x in date_part.split("/"))
    hh, mm, *ss = (int(x) for x in time_part.split(":")) if time_part else (0, 0)
    return (y, m, d, hh, mm, *(ss or [0]))


def generate(out_dir: Path, seed: int = SEED) -> Output:
    """Write the sample set under `out_dir`: raw/, AS_OF, planted_cases.json, ground_truth/."""
    for sub in ("raw", "ground_truth"):
        if (out_dir / sub).exists():
            shutil.rmtree(out_dir / sub)
    out = Output(out_dir)
    Generator(out, seed).run()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder to write (default: sample_data/ of this repository)",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    out = generate(args.out, args.seed)
    rows = sum(f.data_rows for f in out.files)
    print(f"wrote {len(out.files)} files, {rows} data rows under {args.out / 'raw'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
