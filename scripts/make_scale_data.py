#!/usr/bin/env python3
"""Writes a raw folder like the bundled sample's at any size, for benchmarks (issue 13).

Owns the synthetic population at scale and the streaming writers of each raw-file kind. The
kinds, header layouts, encodings, delimiters and mess are those of `sample_data/` (header lists,
campaign names, areas, renderers of messy e-mails/phones/ZIPs and the deterministic XLSX
re-packing are imported from `scripts/make_sample_data.py`); only the sizes and the number of
files per kind grow with the number of people. The planted identity/consent cases, the
ground truth and `planted_cases.json` of the sample are not reproduced: this is load, not a
test oracle.

How it stays small in memory and deterministic: person `i` (0 <= i < N) is derived from a
`random.Random` seeded by (seed, i) alone, never from other people. One pass over the person
indexes writes every person's rows straight into all the output files at once (each an open
CSV writer), so nothing grows with N except the files on disk; the town-hall XLSX is capped at
a few thousand rows and is the only thing held in memory. Same (N, seed) -> the same bytes.

What is fake: names from the sample's obviously fake lists, e-mails at example.org/.com/.net
(unique per person: the person index is part of the local part; some people share a role
address such as `info@riverside-tenants.example.org`). Phones are unique per person and valid
for the warehouse's phone rules (US +1 area-code + 7 digits, UK 07700 + 6 digits); at this size
they cannot all sit in the sample's fictional 555-01xx / 07700 900xxx blocks, so never load a
scale corpus into a tool that dials or texts anyone.

Roughly per person: ~0.7 Mailchimp member rows, ~7.5 e-mail activity rows (sent-to, opens with
repeats, clicks for the sample's 12 campaigns), ~0.8 petition signatures (incl. a byte-identical
re-upload of one export), ~0.3 sign-ups and smaller shares of events, letters, calls, stories,
consultations, volunteers and donations: ~10.5 data rows, ~0.9 KB of CSV. N = 1,000,000 gives
116 files, ~10.5 million data rows, ~0.9 GB.

Usage:
    .venv/bin/python scripts/make_scale_data.py --people 100000 --out scale-100k
    .venv/bin/python scripts/make_scale_data.py --people 100000 --out scale-extra --extra-file
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import random
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_sample_data as sample  # noqa: E402  (the sibling script, not a package)

AS_OF = sample.AS_OF
DEFAULT_SEED = 13
KINDS = [
    "contacts",
    "mailchimp_members",
    "email_activity",
    "petitions",
    "events",
    "legislator_contacts",
    "stories",
    "consultations",
    "volunteers",
    "donations",
]

# Who the people are: profile -> share of the population (percent).
PROFILES = {
    "subscriber": 26,  # only in Mailchimp: receives, sometimes opens and clicks
    "active": 30,  # acts across the 18 months, usually also subscribed
    "lapsed": 18,  # acted, but nothing in the last 95+ days
    "new": 6,  # first seen in the last 30 days
    "petition_only": 8,  # one recent petition signature
    "actor": 7,  # acts in the files but never joined the Mailchimp audience
    "offline": 4,  # never gave an e-mail: call logs, sign-in sheets, phone-only signatures
    "super": 1,  # many actions, most of them recent
}
ACT_WEIGHT = {"super": 5.0, "active": 1.6, "lapsed": 1.0, "new": 1.4, "actor": 1.6}
AUDIENCE_SHARE = {
    "subscriber": 1.0,
    "super": 1.0,
    "active": 0.75,
    "lapsed": 0.7,
    "new": 0.5,
    "petition_only": 0.4,
}
BASE_OPEN = {
    "super": 0.7,
    "active": 0.4,
    "lapsed": 0.2,
    "subscriber": 0.2,
    "new": 0.4,
    "petition_only": 0.3,
}
PROXY_SHARE = 0.15  # Apple-MPP-style openers: an "open" seconds after the send
ROLE_SHARE = 0.0005  # people who give a shared role address instead of their own
ROLE_ORGS = [
    "riverside-tenants",
    "northgate-renters",
    "eastside-residents",
    "parkview-union",
    "harbour-housing-coop",
    "millbrook-community",
]
JUNK_EMAILS = [
    "n/a",
    "none",
    "N/A",
    "jturner@",
    "name at example.org",
    "@example.net",
    "sam@@example.com",
    "-",
    "bob@",
]
JUNK_SHARE = 0.002  # of e-mail cells in action files
DUPLICATE_SHARE = 0.002  # exact duplicate rows (double submissions) in petitions/letters/...
TOWN_HALL_CAP = 3000  # rows in the XLSX: kept small (openpyxl holds it in memory)

# Expected rows per person and kind (before profile weights, windows and issue preference),
# split evenly over the files of that kind: more files at bigger N, not more rows per person.
RATE = {
    "website": 0.30,
    "stall": 0.02,
    "petition": 0.65,
    "event": 0.12,
    "letter": 0.14,
    "call": 0.02,
    "story_share": 0.06,
    "story_submission": 0.01,
    "consultation": 0.05,
    "volunteer": 0.035,
    "donation": 0.04,
}


def n_files(people: int, per: int, minimum: int) -> int:
    """Files of a kind: one per `per` people, at least `minimum` (the sample's count)."""
    return max(minimum, math.ceil(people / per))


# --------------------------------------------------------------------------------------------
# People: everything about person i comes from a Random seeded by (seed, i)
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Person:
    i: int
    profile: str
    first: str
    last: str
    email: str | None  # canonical, lower-case
    phone: str | None  # E.164
    country: str
    city: str
    region: str
    district: str
    postal: str
    ward: str | None
    interests: list[str]
    joined_age: int
    min_age: int
    mailchimp: str | None = None
    optin_at: dt.datetime | None = None
    status_changed_at: dt.datetime | None = None
    opens: float = 0.0
    clicks: float = 0.0
    proxy: bool = False

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


def person_rng(seed: int, i: int, stream: int = 0) -> random.Random:
    """The person's own random stream (stream 1: the --extra-file export)."""
    return random.Random((abs(seed) << 42) + (i << 2) + stream)


def make_person(seed: int, i: int) -> tuple[Person, random.Random]:
    rng = person_rng(seed, i)
    profile = rng.choices(list(PROFILES), list(PROFILES.values()))[0]
    first, last = rng.choice(sample.FIRST_NAMES), rng.choice(sample.LAST_NAMES)
    country = "US" if rng.random() < sample.US_SHARE else "GB"
    ward = None
    scramble = (i * 7919) % 8_000_000  # a bijection of i: phone numbers are unique
    if country == "US":
        area = rng.choices(sample.US_AREAS, sample.US_AREA_WEIGHTS)[0]
        region, city, district, zips, area_code = area[:5]
        postal = rng.choice(zips)
        phone = f"+1{area_code}{2_000_000 + scramble}" if rng.random() < 0.7 else None
    else:
        area = rng.choices(sample.UK_AREAS, sample.UK_AREA_WEIGHTS)[0]
        city, region, district, outwards, _landline, wards = area[:6]
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postal = (
            f"{rng.choice(outwards)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        )
        phone = f"+447700{scramble % 1_000_000:06d}" if rng.random() < 0.75 else None
        ward = rng.choice(wards) if wards else None
    email: str | None
    if profile == "offline":
        email = None
        if phone is None:  # offline people are known by phone (or come to the town hall)
            phone = (
                f"+1{sample.US_AREAS[0][4]}{2_000_000 + scramble}"
                if country == "US"
                else f"+447700{scramble % 1_000_000:06d}"
            )
    elif rng.random() < ROLE_SHARE:
        email = f"info@{ROLE_ORGS[i % len(ROLE_ORGS)]}.example.org"
    else:
        f, la = sample.ascii_fold(first).lower(), sample.ascii_fold(last).lower()
        pattern = rng.choice(["{f}.{l}{n}", "{f}{l}{n}", "{f0}{l}{n}", "{f}_{l}{n}", "{f}{n}"])
        email = pattern.format(f=f, l=la, f0=f[:1], n=i) + "@" + rng.choice(sample.EMAIL_DOMAINS)
    interests = rng.sample(sample.ISSUES, rng.choice([1, 1, 2, 2, 3]))
    history = sample.HISTORY_DAYS
    joined = {
        "new": rng.randint(1, 30),
        "petition_only": rng.randint(3, 30),
        "lapsed": rng.randint(200, history),
        "subscriber": rng.randint(20, history),
        "offline": rng.randint(14, 400),
    }.get(profile, rng.randint(100, history))
    if profile in ("active", "lapsed", "super", "subscriber") and rng.random() < 0.45:
        joined = rng.randint(history + 1, 1400)  # joined before the 18 months of history
    min_age = 1
    if profile == "lapsed":
        min_age = rng.randint(95, 180)
        if joined <= min_age:
            joined = min_age + rng.randint(30, 200)
    person = Person(
        i,
        profile,
        first,
        last,
        email,
        phone,
        country,
        city,
        region,
        district,
        postal,
        ward,
        interests,
        joined,
        min_age,
    )
    _assign_mailchimp(person, rng)
    return person, rng


SENDS = [dt.datetime.combine(sample.day(d), dt.time(14, 0)) for d, _s, _i in sample.EMAIL_CAMPAIGNS]


def _assign_mailchimp(p: Person, rng: random.Random) -> None:
    """Audience membership, opt-in time, later unsubscribe/clean, open and click habits."""
    if not p.email or p.email.startswith("info@"):
        return
    if rng.random() >= AUDIENCE_SHARE.get(p.profile, 0.0):
        return
    p.mailchimp = "subscribed"
    p.optin_at = sample.at_age(rng, p.joined_age) + dt.timedelta(minutes=rng.randint(1, 600))
    if p.optin_at.date() >= AS_OF:
        p.optin_at = sample.at_age(rng, 1, (8, 9))
    r = rng.random()
    if p.profile in ("active", "lapsed", "subscriber") and r < 0.07:
        p.mailchimp = "unsubscribed"
    elif p.profile in ("lapsed", "subscriber") and r < 0.10:
        p.mailchimp = "cleaned"
    if p.mailchimp != "subscribed":
        after = [s for s in SENDS if s > p.optin_at]
        if not after:
            p.mailchimp = "subscribed"
        else:
            lag = rng.randint(1, 60 * 72) if p.mailchimp == "unsubscribed" else rng.randint(0, 3)
            p.status_changed_at = min(
                rng.choice(after) + dt.timedelta(minutes=lag),
                dt.datetime.combine(AS_OF - dt.timedelta(days=1), dt.time(12)),
            )
    p.proxy = rng.random() < PROXY_SHARE
    p.opens = 0.0 if p.profile == "subscriber" and rng.random() < 0.25 else BASE_OPEN[p.profile]
    p.clicks = {"super": 0.45, "active": 0.25, "new": 0.25}.get(p.profile, 0.1)
    if rng.random() < 0.3:
        p.clicks = 0.0


# --------------------------------------------------------------------------------------------
# Messy renderings (the sample's renderers, plus junk e-mails)
# --------------------------------------------------------------------------------------------


def email_cell(rng: random.Random, p: Person, mess: float = 0.12) -> str:
    """The address as typed in an action file: sometimes capitalised, padded or junk."""
    if not p.email:
        return ""
    if rng.random() < JUNK_SHARE:
        return rng.choice(JUNK_EMAILS)
    return sample.render_email(rng, p.email, mess)


def phone_cell(rng: random.Random, p: Person, share: float = 1.0, excel: bool = False) -> str:
    if not p.phone or rng.random() >= share:
        return ""
    return sample.render_phone(rng, p.phone, excel)


def postal_cell(rng: random.Random, p: Person, lose_zero: bool = False) -> str:
    if p.country == "US":
        return sample.render_zip(rng, p.postal, lose_zero)
    return sample.render_postcode(rng, p.postal)


def action_age(rng: random.Random, p: Person, first: dt.date, last: dt.date) -> int | None:
    """An action age inside both the campaign window and the person's active window."""
    lo = max(p.min_age, sample.age_of(last))
    hi = min(p.joined_age, sample.age_of(first))
    return rng.randint(lo, hi) if lo <= hi else None


def acts(rng: random.Random, p: Person, rate: float, issue: str | None = None) -> bool:
    """Does the person take part in one file's action (profile weight, issue fans x2.5)?"""
    weight = ACT_WEIGHT.get(p.profile, 0.0)
    if issue and issue in p.interests:
        weight *= 2.5
    return rng.random() < rate * weight


# --------------------------------------------------------------------------------------------
# Streaming writers
# --------------------------------------------------------------------------------------------


@dataclass
class Sink:
    """One CSV file being written row by row, with the sample's writer conventions."""

    rel: str
    header: list[str]
    handle: IO[str]
    writer: Any
    rows: int = 0
    counter: int = 0  # per-file running number (orders, response ids)
    state: dict = field(default_factory=dict)

    def write(self, values: dict[str, object] | Sequence[object]) -> None:
        if isinstance(values, dict):
            values = ["" if values.get(h) is None else values[h] for h in self.header]
        self.writer.writerow(values)
        self.rows += 1


class Output:
    """All files of a corpus, open at once while the people are streamed."""

    def __init__(self, root: Path) -> None:
        self.raw = root / "raw"
        self.sinks: list[Sink] = []
        self.extra_files: list[tuple[str, int]] = []  # (rel, data rows) of copies and XLSX

    def open(
        self,
        kind: str,
        name: str,
        header: list[str],
        *,
        delimiter: str = ",",
        encoding: str = "utf-8",
        bom: bool = False,
        crlf: bool = False,
        quote_all: bool = False,
    ) -> Sink:
        rel = f"{kind}/{name}"
        path = self.raw / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "w", encoding=encoding, newline="", buffering=1 << 18)  # noqa: SIM115
        if bom:
            handle.write("\ufeff")
        writer = csv.writer(
            handle,
            delimiter=delimiter,
            lineterminator="\r\n" if crlf else "\n",
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        )
        writer.writerow(header)
        sink = Sink(rel, list(header), handle, writer)
        self.sinks.append(sink)
        return sink

    def close(self) -> None:
        for sink in self.sinks:
            sink.handle.close()

    def rows(self) -> int:
        return sum(s.rows for s in self.sinks) + sum(n for _r, n in self.extra_files)

    def files(self) -> int:
        return len(self.sinks) + len(self.extra_files)


# --------------------------------------------------------------------------------------------
# The corpus: one sink per file, then one pass over the people
# --------------------------------------------------------------------------------------------


@dataclass
class EventFile:
    sink: Sink
    name: str
    issue: str
    starts: dt.datetime
    district: str
    city: str
    first_order: dt.date


class Corpus:
    """Opens every file of the corpus and writes each person's rows into them."""

    def __init__(self, out: Output, people: int, seed: int) -> None:
        self.out, self.n, self.seed = out, people, seed
        self._rows = 0
        self.rng = random.Random(seed)  # campaign-level values only (send times, ids)
        o = out
        n = people
        # contacts
        self.website = o.open("contacts", "website_signups.csv", list(sample.CONTACTS_HEADER))
        months = ["09", "08", "07", "06", "05", "04", "03", "02"]
        self.stalls = [
            o.open(
                "contacts",
                f"street_stall_signups_leeds_2026-{months[k % 8]}"
                f"{'' if k < 8 else f'_{k // 8 + 1}'}.csv",
                list(sample.STREET_STALL_HEADER),
                delimiter=";",
            )
            for k in range(n_files(n, 250_000, 1))
        ]
        # petitions: titles cycle over the sample's three; the second export is re-uploaded
        titles = list(sample.PETITIONS.items())
        self.petitions: list[tuple[Sink, str, str, dt.date, dt.date]] = []
        for k in range(n_files(n, 200_000, 3)):
            title, (issue, first, last, report_id, export_day) = titles[k % 3]
            report_id += 1000 * (k // 3)
            export = sample.day(export_day) + dt.timedelta(days=k // 3)
            epoch = (
                int(dt.datetime(export.year, export.month, export.day, tzinfo=dt.UTC).timestamp())
                + 61_512
            )
            name = f"export-{export.isoformat()}-csv_report_{report_id}_{epoch}.csv"
            sink = o.open("petitions", name, list(sample.PETITION_HEADER))
            self.petitions.append((sink, title, issue, sample.day(first), sample.day(last)))
        # events: the sample's three Eventbrite events, then numbered repeats of them
        self.events: list[EventFile] = []
        for k in range(n_files(n, 25_000, 3)):
            name, (issue, start, district, city, first_order) = list(sample.EVENTS.items())[k % 3]
            if k >= 3:
                name = f"{name} #{k // 3 + 1}"
            slug = name.lower().replace(":", "").replace("#", "").replace(" ", "-")
            sink = o.open(
                "events", f"eventbrite_attendee_report_{slug}.csv", list(sample.EVENTBRITE_HEADER)
            )
            sink.counter = 11211912243 + 10_000_000 * k
            sink.state["attendee"] = 18441583423 + 10_000_000 * k
            self.events.append(
                EventFile(
                    sink,
                    name,
                    issue,
                    dt.datetime.fromisoformat(start),
                    district,
                    city,
                    sample.day(first_order),
                )
            )
        self.town_hall: list[tuple[int, list[object]]] = []  # (sheet, values), capped
        self.town_hall_target = min(TOWN_HALL_CAP, max(40, people * 3 // 1000))
        # legislator contacts
        self.letters = [
            o.open(
                "legislator_contacts",
                "letters_to_legislators.csv" if k == 0 else f"letters_to_legislators_{k + 1}.csv",
                list(sample.LETTERS_HEADER),
            )
            for k in range(n_files(n, 250_000, 1))
        ]
        self.calls = [
            o.open(
                "legislator_contacts",
                "call_in_day_2026-11-19_call_log.csv"
                if k == 0
                else f"call_in_day_2026-11-19_call_log_{k + 1}.csv",
                list(sample.CALL_LOG_HEADER),
            )
            for k in range(n_files(n, 500_000, 1))
        ]
        # stories
        self.shares = [
            o.open(
                "stories",
                "story_shares.csv" if k == 0 else f"story_shares_{k + 1}.csv",
                list(sample.STORY_SHARES_HEADER),
            )
            for k in range(n_files(n, 500_000, 1))
        ]
        self.submissions = o.open(
            "stories",
            "share_your_story_submissions.csv",
            list(sample.STORY_SUBMISSIONS_HEADER),
            encoding="cp1252",
            crlf=True,
        )
        # consultations: the sample's two, then more UK cities and topics
        self.consultations: list[tuple[Sink, str, dt.date, dt.date, str]] = []
        stems = list(sample.CONSULTATIONS.items())
        cities = [a[0] for a in sample.UK_AREAS]
        for k in range(n_files(n, 100_000, 2)):
            stem, (issue, first, last, city) = stems[k % 2]
            if k >= 2:
                city = cities[k % len(cities)]
                topic = "bus_network" if issue == "transit" else "renters_charter"
                stem = f"{city.lower()}_{topic}_{k // 2 + 1}_consultation_responses"
            sink = o.open("consultations", f"{stem}.csv", sample.consultation_header(issue))
            self.consultations.append((sink, issue, sample.day(first), sample.day(last), city))
        # volunteers and donations
        self.volunteers = [
            o.open(
                "volunteers",
                "volunteer_signups (Responses).csv"
                if k == 0
                else f"volunteer_signups_{k + 1} (Responses).csv",
                list(sample.VOLUNTEER_HEADER),
            )
            for k in range(n_files(n, 500_000, 1))
        ]
        appeals = ["housing-defence-fund", "clean-air-fund", "bus-riders-fund", "clinic-hours-fund"]
        self.donations = []
        for k in range(n_files(n, 250_000, 1)):
            slug = appeals[k % 4] + ("" if k < 4 else f"-{k // 4 + 1}")
            sink = o.open(
                "donations", f"indiegogo_{slug}_contributions.csv", list(sample.DONATION_HEADER)
            )
            sink.counter = 1129 + 1_000_000 * k
            self.donations.append(sink)
        # Mailchimp audience export, one file per status (UTF-8 BOM, CRLF, all quoted)
        self.members = {
            status: o.open(
                "mailchimp_members",
                f"{status}_members_export_3f9a1c7e2b.csv",
                sample.MAILCHIMP_BASE_HEADER + sample.MAILCHIMP_STATUS_HEADERS[status],
                bom=True,
                crlf=True,
                quote_all=True,
            )
            for status in ("subscribed", "unsubscribed", "cleaned")
        }
        self.campaign_ids = {
            s: f"{self.rng.getrandbits(40):010x}" for _d, s, _i in sample.EMAIL_CAMPAIGNS
        }
        # e-mail activity: sent-to / opened / clicked per campaign, headers as the sample's
        self.activity: list[tuple[dt.datetime, str, Sink, Sink, Sink]] = []
        for k, (send_day, slug, _issue) in enumerate(sample.EMAIL_CAMPAIGNS):
            sent_at = dt.datetime.combine(sample.day(send_day), dt.time(14, 0)) + dt.timedelta(
                minutes=self.rng.randint(0, 50)
            )
            headers = sample.email_activity_headers(k)
            sinks = [
                o.open("email_activity", f"{report}_{send_day}_{slug}.csv", header)
                for report, header in zip(("sent-to", "opened", "clicked"), headers, strict=True)
            ]
            self.activity.append((sent_at, slug, *sinks))

    # -- one person ------------------------------------------------------------------------

    def person(self, p: Person, rng: random.Random) -> None:
        before = self.out_rows()
        self.petition_rows(p, rng)
        self.event_rows(p, rng)
        self.legislator_rows(p, rng)
        self.story_rows(p, rng)
        self.consultation_rows(p, rng)
        self.volunteer_rows(p, rng)
        self.donation_rows(p, rng)
        self.contact_rows(p, rng, force=self.out_rows() == before and p.mailchimp is None)
        self.mailchimp_rows(p, rng)
        self.activity_rows(p, rng)

    def out_rows(self) -> int:
        return self._rows

    def _w(
        self,
        sink: Sink,
        values: dict[str, object] | Sequence[object],
        dup_rng: random.Random | None = None,
    ) -> None:
        """Write a row; with `dup_rng`, now and then an exact copy right after it."""
        before = sink.rows
        sink.write(values)
        if dup_rng is not None and dup_rng.random() < DUPLICATE_SHARE:
            sink.write(values)  # a double submission
        self._rows += sink.rows - before

    def contact_rows(self, p: Person, rng: random.Random, force: bool) -> None:
        end = AS_OF - dt.timedelta(days=1)
        start = AS_OF - dt.timedelta(days=sample.HISTORY_DAYS)
        if p.email and (force and p.profile in ACT_WEIGHT or acts(rng, p, RATE["website"])):
            age = action_age(rng, p, start, end)
            if age is not None:
                ts = sample.at_age(rng, age)
                keep = (
                    rng.choice(["Yes", "Yes", "Yes", "Y", "TRUE", "yes", "x", "✓", "1"])
                    if rng.random() < 0.8
                    else rng.choice(["No", "", "N"])
                )
                self._w(
                    self.website,
                    {
                        "Date registered": sample.fmt_us_minutes(ts),
                        "First Name": p.first,
                        "Last Name": p.last,
                        "Email Address": email_cell(rng, p),
                        "Zip/Postcode": postal_cell(rng, p, lose_zero=True),
                        "Phone": phone_cell(rng, p),
                        "Keep me updated?": keep,
                    },
                )
        if p.city == "Leeds" and p.email:
            rate = RATE["stall"] / 0.128 / len(self.stalls)  # Leeds is ~12.8% of people
            for sink in self.stalls:
                if (
                    acts(rng, p, rate)
                    and action_age(rng, p, sample.day("2026-09-01"), sample.day("2026-09-30"))
                    is not None
                ):
                    name = f"{p.last}, {p.first}" if rng.random() < 0.3 else p.full
                    self._w(
                        sink,
                        {
                            "Name": name,
                            "E-mail": email_cell(rng, p),
                            "Postcode": sample.render_postcode(rng, p.postal, 0.7),
                            "Mobile": phone_cell(rng, p),
                            "Updates?": rng.choice(["✓", "✓", "Yes", "", "x", "no"]),
                        },
                    )

    def petition_rows(self, p: Person, rng: random.Random) -> None:
        rate = RATE["petition"] / len(self.petitions)
        clinics_done = False
        for sink, title, issue, first, last in self.petitions:
            signs = acts(rng, p, rate, issue)
            if p.profile == "petition_only" and title == "Keep Clinics Open Late":
                signs, first = not clinics_done, AS_OF - dt.timedelta(days=p.joined_age)
                clinics_done = True
            elif p.profile == "offline" and rng.random() < 0.15 / len(self.petitions):
                signs = True  # a phone-only signature
            if not signs:
                continue
            age = action_age(rng, p, first, last)
            if age is None:
                continue
            self._w(sink, an_row(p, rng, sample.at_age(rng, age, (0, 24)), title), dup_rng=rng)

    def event_rows(self, p: Person, rng: random.Random) -> None:
        if p.country == "US":
            rate = RATE["event"] / 0.68 / len(self.events) / 1.15  # /1.15: guests add rows
            for ev in self.events:
                local = 3.0 if p.district == ev.district else 0.3
                if acts(rng, p, rate * local, ev.issue):
                    self.event_row(p, rng, ev)
        if p.city == "Leeds":
            leeds_people = self.n * 0.128
            share = self.town_hall_target / max(1.0, leeds_people)
            if p.profile == "offline":
                share *= 4
            if rng.random() < share and len(self.town_hall) < self.town_hall_target:
                self.town_hall_row(p, rng)

    def event_row(self, p: Person, rng: random.Random, ev: EventFile) -> None:
        sink = ev.sink
        past = ev.starts.date() < AS_OF
        last_order = min(ev.starts.date() - dt.timedelta(days=1), AS_OF - dt.timedelta(days=1))
        age = action_age(rng, p, ev.first_order, last_order)
        if age is None:
            return
        ts = sample.at_age(rng, age)
        sink.counter += rng.randint(3, 900)
        paid = rng.random() < 0.3
        quantity = 1 if rng.random() < 0.85 else rng.randint(2, 3)
        buyer_email = email_cell(rng, p)
        refunded = paid and rng.random() < 0.12
        guests = [(p.first, p.last)] + [
            (rng.choice(sample.FIRST_NAMES), p.last) for _ in range(quantity - 1)
        ]
        for gi, (first, last) in enumerate(guests):
            sink.state["attendee"] += rng.randint(1, 40)
            checked = ""
            if past and not refunded:
                checked = (
                    "Yes"
                    if p.profile == "super"
                    else rng.choice(["Yes", "Yes", "Yes", "No", "No", ""])
                )
            total = "0" if not paid else ("(15.00)" if refunded else "$15.00")
            self._w(
                sink,
                {
                    "Order #": str(sink.counter),
                    "Order Date": sample.fmt_us_short(ts),
                    "First Name": first,
                    "Last Name": last,
                    "Email": buyer_email,
                    "Quantity": "1",
                    "Ticket Type": "Solidarity ticket" if paid else "General Admission",
                    "Attendee #": str(sink.state["attendee"]),
                    "Order Type": "Eventbrite Completed" if paid else "Free Order",
                    "Currency": "USD",
                    "Total Paid": total,
                    "Fees Paid": "0" if not paid else ("(1.42)" if refunded else "1.42"),
                    "Eventbrite Fees": "0",
                    "Eventbrite Payment Processing": "0",
                    "Attendee Status": "Refunded" if refunded else "Attending",
                    "Checked In": checked,
                    "Event Name": ev.name,
                    "Event Date": sample.fmt_eventbrite_event(ev.starts),
                    "Home Address 1": "1200 Placeholder Ave\nApt 4B" if rng.random() < 0.01 else "",
                    "Home City": ev.city if rng.random() < 0.5 else "",
                    "Home State": p.region if rng.random() < 0.5 else "",
                    "Home Zip": sample.render_zip(rng, p.postal) if gi == 0 else "",
                    "Home Country": "US",
                    "Cell Phone": phone_cell(rng, p) if gi == 0 else "",
                    "How did you hear about this event?": rng.choice(
                        ["Email", "Facebook", "A friend", "Flyer", ""]
                    ),
                    "Are you a member?": rng.choice(["Yes", "No", ""]),
                },
            )

    def town_hall_row(self, p: Person, rng: random.Random) -> None:
        event, _issue, when = sample.TOWN_HALL
        typo = {"Sampleton": "Sampelton", "Mockridge": "Mockrige", "Exampleton": "Exampelton"}
        last = typo.get(p.last, p.last) if rng.random() < 0.3 else p.last
        name_only = rng.random() < 0.03  # a walk-in who left only a name
        email = email_cell(rng, p) if p.email and rng.random() < 0.8 and not name_only else ""
        phone: object = ""
        if p.phone and rng.random() < 0.6 and not name_only:
            phone = sample.render_phone(rng, p.phone, excel=True)
            if phone.isdigit() and rng.random() < 0.7:
                phone = int(phone)  # typed as a number: leading zero gone
        postcode = ""
        if not name_only and rng.random() < 0.85:
            postcode = sample.render_postcode(rng, p.postal, 0.8)
        values = [
            f"{p.first} {last}",
            email,
            phone,
            postcode,
            p.ward or "",
            rng.choice(["Y", "N", "", "y"]),
            rng.choice(["Y", "Yes", "", "N"]),
            event,
            when,
        ]
        self.town_hall.append((0 if rng.random() < 2 / 3 else 1, values))

    def legislator_rows(self, p: Person, rng: random.Random) -> None:
        if p.email:
            sink = self.letters[p.i % len(self.letters)]
            for subject, (issue, first, last, country) in sample.LETTER_CAMPAIGNS.items():
                share = 0.68 if country == "US" else 0.32
                if p.country != country or not acts(rng, p, RATE["letter"] / 3 / share, issue):
                    continue
                age = action_age(rng, p, sample.day(first), sample.day(last))
                if age is None:
                    continue
                ts = sample.at_age(rng, age)
                target, office = sample.LEGISLATORS[p.district]
                self._w(
                    sink,
                    {
                        "first_name": p.first,
                        "last_name": p.last,
                        "email": email_cell(rng, p),
                        "zip_code": postal_cell(rng, p, lose_zero=True),
                        "target_name": target,
                        "target_office": office,
                        "district": p.district,
                        "channel": rng.choice(["letter", "letter", "email", "email", "call"]),
                        "subject": subject,
                        "created_date": sample.fmt_naive(ts),
                        "source": rng.choice(["email", "website", "fb", "partner-union", ""]),
                    },
                    dup_rng=rng,
                )
        if p.country == "US" and p.phone:
            name, issue, first_day, last_day = sample.CALL_CAMPAIGN
            calls = p.profile == "offline" or (
                p.profile in ("super", "active", "new")
                and acts(rng, p, RATE["call"] / 0.68 / 0.7, issue)
            )
            age = action_age(rng, p, first_day, last_day)
            if calls and age is not None:
                ts = sample.at_age(rng, age, (9, 18))
                self._w(
                    self.calls[p.i % len(self.calls)],
                    {
                        "Call Time": sample.fmt_naive(ts),
                        "Caller Phone": phone_cell(rng, p),
                        "Caller First Name": p.first if rng.random() < 0.7 else "",
                        "Caller Last Name": p.last if rng.random() < 0.6 else "",
                        "Caller Zip": sample.render_zip(rng, p.postal, lose_zero=True),
                        "Target": sample.LEGISLATORS[p.district][0],
                        "District": p.district,
                        "Duration (s)": str(rng.randint(25, 420)),
                        "Campaign": name,
                    },
                )

    def story_rows(self, p: Person, rng: random.Random) -> None:
        if not p.email:
            return
        firsts = {
            "Cap the Rent": "2026-05-20",
            "Keep Clinics Open Late": "2026-10-21",
            "Bus Lanes Now": "2026-09-15",
        }
        issues = {
            "Cap the Rent": "housing",
            "Keep Clinics Open Late": "healthcare",
            "Bus Lanes Now": "transit",
        }
        for campaign in sample.STORY_CAMPAIGNS:
            if not acts(rng, p, RATE["story_share"] / 3, issues[campaign]):
                continue
            age = action_age(rng, p, sample.day(firsts[campaign]), AS_OF - dt.timedelta(days=1))
            if age is None:
                continue
            ts = sample.at_age(rng, age)
            network = rng.choice(["facebook", "x", "whatsapp", "email", "bluesky"])
            self._w(
                self.shares[p.i % len(self.shares)],
                {
                    "shared_at": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "email": email_cell(rng, p),
                    "network": network,
                    "story_slug": rng.choice(sample.STORY_SLUGS[campaign]),
                    "campaign": campaign,
                    "ref_code": f"share-{network[:2]}-{rng.randint(1000, 9999)}",
                },
            )
        if p.profile in ("active", "super") and acts(rng, p, RATE["story_submission"] / 0.5):
            age = action_age(rng, p, sample.day("2026-05-20"), AS_OF - dt.timedelta(days=1))
            if age is not None:
                ts = sample.at_age(rng, age)
                campaign = rng.choice(sample.STORY_CAMPAIGNS)
                self._w(
                    self.submissions,
                    {
                        "Submitted": sample.fmt_us_minutes(ts),
                        "Name": p.full,
                        "Email": email_cell(rng, p),
                        "ZIP / Postcode": postal_cell(rng, p, True),
                        "Campaign": campaign,
                        "Your story": rng.choice(sample.STORY_TEXTS[campaign]),
                        "Can we publish your story?": rng.choice(
                            ["Yes", "No", "Yes – first name only"]
                        ),
                    },
                )

    def consultation_rows(self, p: Person, rng: random.Random) -> None:
        if p.country != "GB" or not p.email:
            return
        rate = RATE["consultation"] / 0.32 / len(self.consultations)
        for sink, issue, first, last, city in self.consultations:
            if not acts(rng, p, rate * (2.0 if p.city == city else 0.5), issue):
                continue
            age = action_age(rng, p, first, last)
            if age is None:
                continue
            ts = sample.at_age(rng, age)
            sink.counter += 1
            q1s, q2s = sample.CONSULTATION_ANSWERS[issue]
            header = sink.header
            self._w(
                sink,
                {
                    "Response ID": f"ANON-{rng.randint(100, 999)}-{sink.counter:04d}",
                    "Submitted": sample.fmt_uk(ts),
                    "Email": email_cell(rng, p),
                    "Postcode": sample.render_postcode(rng, p.postal, 0.85),
                    header[4]: rng.choice(q1s),
                    header[5]: rng.choice(q2s),
                    header[6]: rng.choice(sample.CONSULTATION_ANSWERS_Q3),
                    header[7]: rng.choice(["Yes", "Yes", "No", ""]),
                },
                dup_rng=rng,
            )

    def volunteer_rows(self, p: Person, rng: random.Random) -> None:
        if not p.email or not (p.profile == "super" or acts(rng, p, RATE["volunteer"])):
            return
        first, last = (sample.day(d) for d in sample.VOLUNTEER_WINDOW)
        age = action_age(rng, p, first, last)
        if age is None:
            return
        ts = sample.at_age(rng, age)
        status = rng.choice(
            ["Onboarded", "Onboarded", "Trained", "Invited to training", "Not started", ""]
        )
        if p.profile == "super":
            status = "Onboarded"
        latest = AS_OF - dt.timedelta(days=p.min_age)
        training = ""
        if status in ("Onboarded", "Trained") and age > 10:
            t = ts.date() + dt.timedelta(days=rng.randint(5, 20))
            training = t.isoformat() if t <= latest else ""
        shifts: list[dt.date] = []
        if status == "Onboarded" and training and sample.day(training) < latest - dt.timedelta(4):
            start = sample.day(training)
            for _ in range(4 if p.profile == "super" else rng.randint(1, 3)):
                d = start + dt.timedelta(days=rng.randint(3, max(4, (latest - start).days)))
                if d <= latest and d not in shifts:
                    shifts.append(d)
            shifts.sort()
        issues = [sample.VOLUNTEER_ISSUE_LABELS[i] for i in sample.ISSUES if i in p.interests]
        self._w(
            self.volunteers[p.i % len(self.volunteers)],
            {
                "Timestamp": sample.fmt_us_long(ts),
                "Email Address": email_cell(rng, p),
                "Full name": p.full,
                "Mobile": phone_cell(rng, p),
                "Postcode / ZIP": postal_cell(rng, p, lose_zero=True),
                "Availability": ", ".join(
                    rng.sample(["Weekday evenings", "Weekends", "Mornings"], rng.randint(1, 2))
                ),
                "Which issues matter most to you?": ", ".join(issues),
                "I consent to being contacted": sample.VOLUNTEER_CONSENT_LABEL
                if rng.random() < 0.8
                else "",
                "Onboarding status": status,
                "Training date": training,
                "Shift dates": ", ".join(d.isoformat() for d in shifts),
            },
        )

    def donation_rows(self, p: Person, rng: random.Random) -> None:
        if not p.email:
            return
        _slug, issue, first, last = sample.DONATION_CAMPAIGN
        rate = RATE["donation"] / len(self.donations)
        for sink in self.donations:
            if not acts(rng, p, rate, issue):
                continue
            age = action_age(rng, p, sample.day(first), sample.day(last))
            if age is None:
                continue
            ts = sample.at_age(rng, age, (0, 24))
            perk_id, perk, amount = rng.choice(sample.DONATION_PERKS)
            if amount == 0:
                amount = rng.choice([5, 10, 20, 25, 100])
            sink.counter += rng.randint(1, 9)
            refunded = rng.random() < 0.07
            name = p.full
            if rng.random() < 0.01 and not name.isascii():
                name = name.encode("utf-8").decode("latin-1")  # mojibake: JosÃ©
            zip_text = p.postal
            if p.country == "US" and rng.random() < 0.6:
                zip_text = f'="{p.postal}"'
            self._w(
                sink,
                {
                    "Perk ID": perk_id,
                    "Order No.": str(sink.counter),
                    "Pledge ID": str(13620900 + sink.counter * 7),
                    "Fulfillment Status": "Refunded"
                    if refunded
                    else rng.choice(["Order Placed", "Fulfilled", "Order Placed"]),
                    "Funding Date": sample.fmt_offset_pacific(ts),
                    "Payment Method": rng.choice(["PayPal", "Credit Card", "FirstGiving"]),
                    "Appearance": rng.choice(["Visible", "Anonymous", "Visible"]),
                    "Name": name,
                    "Email": email_cell(rng, p),
                    "Amount": f"({amount:.2f})"
                    if refunded
                    else rng.choice([f"${amount}", f"${amount}.00"]),
                    "Perk": perk,
                    "Shipping Name": name if perk_id else "",
                    "Shipping City": p.city if perk_id else "",
                    "Shipping State/Province": p.region if perk_id else "",
                    "Shipping Zip/Postal Code": zip_text if perk_id else "",
                    "Shipping Country": ("United States" if p.country == "US" else "United Kingdom")
                    if perk_id
                    else "",
                },
            )

    def mailchimp_rows(self, p: Person, rng: random.Random) -> None:
        status = p.mailchimp
        if status is None or p.optin_at is None or p.email is None:
            return
        optin = p.optin_at
        confirm = optin + dt.timedelta(seconds=rng.randint(30, 7200))
        if confirm.date() >= AS_OF:
            confirm = optin
        changed = p.status_changed_at or confirm
        if status == "subscribed" and rng.random() < 0.3:
            changed = max(confirm, sample.at_age(rng, rng.randint(1, 200)))
        us = p.country == "US"
        area = (
            next(a for a in sample.US_AREAS if a[1] == p.city)
            if us
            else next(a for a in sample.UK_AREAS if a[0] == p.city)
        )
        lat, lon = (area[5], area[6]) if us else (area[6], area[7])
        tz = area[7] if us else "Europe/London"
        gmt, dst = {
            "America/Chicago": ("-6", "-5"),
            "America/New_York": ("-5", "-4"),
            "America/Los_Angeles": ("-8", "-7"),
        }.get(tz, ("0", "1"))
        tags: list[str] = []
        if p.profile == "super":
            tags.append("VIP")
        if p.city == "Rockford":
            tags.append("Rockford")
        if rng.random() < 0.3:
            tags.append(p.interests[0].capitalize())
        if status == "subscribed":
            tag_cell = ",".join(f'"{t}"' for t in tags)
        else:
            tag_cell = ", ".join(t.lower() for t in tags)
        geo = rng.random() < 0.7
        values: dict[str, object] = {
            "Email Address": p.email,
            "First Name": p.first,
            "Last Name": p.last,
            "ZIP code": p.postal if rng.random() < 0.7 else "",
            "Phone Number": phone_cell(rng, p, 0.5),
            "MMERGE5": rng.choice(["", "", "petition", "website", "event"]),
            "MEMBER_RATING": str(
                {"super": 5, "active": 4, "new": 3}.get(p.profile, rng.choice([1, 2, 2, 3]))
            ),
            "OPTIN_TIME": sample.fmt_naive(optin),
            "OPTIN_IP": f"203.0.113.{rng.randint(1, 254)}",
            "CONFIRM_TIME": sample.fmt_naive(confirm),
            "CONFIRM_IP": f"198.51.100.{rng.randint(1, 254)}",
            "LATITUDE": f"{lat + rng.uniform(-0.05, 0.05):.7f}" if geo else "",
            "LONGITUDE": f"{lon + rng.uniform(-0.05, 0.05):.7f}" if geo else "",
            "GMTOFF": gmt if geo else "",
            "DSTOFF": dst if geo else "",
            "TIMEZONE": tz if geo else "",
            "CC": ("US" if us else "GB") if geo else "",
            "REGION": p.region if geo else "",
            "LAST_CHANGED": sample.fmt_naive(changed),
            "LEID": str(40_000_000 + p.i),
            "EUID": f"{rng.getrandbits(40):010x}",
            "NOTES": "",
            "TAGS": tag_cell,
        }
        if status != "subscribed" and p.status_changed_at is not None:
            before = [
                s
                for d, s, _i in sample.EMAIL_CAMPAIGNS
                if dt.datetime.combine(sample.day(d), dt.time(14)) <= p.status_changed_at
            ]
            slug = before[-1] if before else None
            prefix = "UNSUB" if status == "unsubscribed" else "CLEAN"
            values[f"{prefix}_TIME"] = sample.fmt_naive(p.status_changed_at)
            values[f"{prefix}_CAMPAIGN_TITLE"] = slug.replace("-", " ").capitalize() if slug else ""
            values[f"{prefix}_CAMPAIGN_ID"] = self.campaign_ids[slug] if slug else ""
            if status == "unsubscribed":
                reason = rng.choice(["NORMAL", "NOSIGNUP", "INAPPROPRIATE", "SPAM", "OTHER", ""])
                values["UNSUB_REASON"] = reason
                values["UNSUB_REASON_OTHER"] = "Too many emails" if reason == "OTHER" else ""
        self._w(self.members[status], values)

    def activity_rows(self, p: Person, rng: random.Random) -> None:
        if p.mailchimp is None or p.optin_at is None or p.email is None:
            return
        targeted: dict[str, Callable[[Person], bool]] = {
            "housing-town-hall-invite": lambda q: (
                q.district == "IL-16" or q.city == "Leeds" or "housing" in q.interests
            ),
            "bus-lanes-now-alert": lambda q: "transit" in q.interests or q.city == "Rockford",
            "clinic-call-in-day": lambda q: "healthcare" in q.interests,
        }
        email = p.email
        fmt = sample.fmt_naive
        for sent_at, slug, sent, opened, clicked in self.activity:
            if p.optin_at >= sent_at or (p.status_changed_at and p.status_changed_at < sent_at):
                continue
            if slug in targeted and not targeted[slug](p):
                continue
            stamp = sent_at + dt.timedelta(seconds=rng.randint(0, 240))
            self._w(sent, _ordered(sent.header, email, fmt(stamp)))
            if (
                p.mailchimp == "cleaned"
                and p.status_changed_at
                and (p.status_changed_at < sent_at + dt.timedelta(days=1))
            ):
                continue  # the send that bounced
            if not rng.random() < (0.95 if p.proxy else p.opens):
                continue
            times = []
            if p.proxy:
                times.append(stamp + dt.timedelta(seconds=rng.randint(1, 59)))
            if not p.proxy or rng.random() < p.opens:
                first_open = stamp + dt.timedelta(minutes=rng.randint(3, 60 * 48))
                times.append(first_open)
                if rng.random() < 0.3:
                    times.append(first_open + dt.timedelta(minutes=rng.randint(5, 60 * 24)))
            times = [t for t in times if t.date() < AS_OF]
            for t in times:
                self._w(opened, _ordered(opened.header, email, fmt(t)))
            human = [t for t in times if t - stamp > dt.timedelta(minutes=2)]
            if human and rng.random() < p.clicks:
                click = human[0] + dt.timedelta(seconds=rng.randint(5, 300))
                if click.date() < AS_OF:
                    urls = [
                        f"https://example.org/act/{slug}",
                        f"https://example.org/donate?utm_campaign={slug}",
                        "https://example.org/events",
                    ]
                    for url in rng.sample(urls, rng.randint(1, 2)):
                        self._w(clicked, _ordered(clicked.header, email, fmt(click), url))

    # -- after the people ------------------------------------------------------------------

    def finish(self) -> None:
        self.out.close()
        self.write_town_hall()
        first = self.petitions[1][0].rel  # the second export, downloaded and dropped in twice
        copy = first.replace(".csv", " (1).csv")
        shutil.copyfile(self.out.raw / first, self.out.raw / copy)
        self.out.extra_files.append((copy, self.petitions[1][0].rows))

    def write_town_hall(self) -> None:
        from openpyxl import Workbook  # dev dependency, as for the sample

        when = sample.TOWN_HALL[2]
        wb = Workbook()
        wb.remove(wb.active)
        rng = random.Random(self.seed)
        total = 0
        for sheet_no, (title, header) in enumerate(
            zip(("Sign-in", "Sign-in (2)"), sample.TOWN_HALL_HEADERS, strict=True)
        ):
            ws = wb.create_sheet(title)
            ws.append(header)
            rows = [values for s, values in self.town_hall if s == sheet_no]
            excel_row = 1
            for n, values in enumerate(rows):
                excel_row += 1
                if n and rng.random() < 0.02:  # a blank row between entries
                    excel_row += 1
                for col, value in enumerate(values, start=1):
                    if value is not None and value != "":
                        cell = ws.cell(row=excel_row, column=col, value=value)
                        if isinstance(value, dt.date):
                            cell.number_format = "dd/mm/yyyy"
            ws.cell(row=excel_row + 2, column=1, value=" ")  # trailing "blank" rows
            ws.cell(row=excel_row + 3, column=1, value=" ")
            total += len(rows)
        props = wb.properties
        props.creator = props.lastModifiedBy = "Town hall volunteer"
        props.created = sample.XLSX_FIXED_TIME
        buf = io.BytesIO()
        wb.save(buf)
        rel = f"events/townhall_signin_leeds-housing_{when}.xlsx"
        path = self.out.raw / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sample._deterministic_zip(buf.getvalue()))
        self.out.extra_files.append((rel, total))
        self.town_hall.clear()


def an_row(p: Person, rng: random.Random, ts: dt.datetime, title: str) -> dict[str, object]:
    """One Action Network export row (the sample's layout and mess)."""
    states = {
        "IL": "Illinois",
        "MA": "Massachusetts",
        "NJ": "New Jersey",
        "CT": "Connecticut",
        "CA": "California",
        "NY": "New York",
    }
    tags = ", ".join(rng.sample(sample.PETITION_TAG_POOL, rng.randint(0, 3)))
    email = email_cell(rng, p, 0.1)
    if email and rng.random() < 0.002:
        email = f"mailto:{email.strip()}"
    return {
        "uuid": f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-"
        f"4{rng.getrandbits(12):03x}-a{rng.getrandbits(12):03x}-"
        f"{rng.getrandbits(48):012x}",
        "first_name": p.first if rng.random() > 0.03 else p.full,
        "last_name": p.last if rng.random() > 0.03 else "",
        "email": email,
        "zip_code": postal_cell(rng, p),
        "can2_user_city": p.city if rng.random() < 0.6 else "",
        "can2_user_state": states.get(p.region, "") if p.country == "US" else "",
        "can2_state_abbreviated": p.region if p.country == "US" else "",
        "can2_county": "Winnebago" if p.city == "Rockford" else "",
        "can2_phone": phone_cell(rng, p, 1.0 if not p.email else 0.5),
        "can2_sms_status": rng.choice(["", "", "subscribed", "unsubscribed"]),
        "can2_user_tags": tags,
        "can2_subscription_status": "subscribed" if rng.random() < 0.93 else "unsubscribed",
        "can2_subscription_date": sample.fmt_naive(ts),
        "can2_lifetime_value": rng.choice(["0", "0", "0", "25.0", "10.0"]),
        "action_title": title,
        "created_date": sample.fmt_naive(ts),
        "comments": rng.choice(
            [
                "",
                "",
                "",
                "",
                "Rents are out of control.",
                "Please act now",
                "My kids walk past the depot every day.",
            ]
        ),
        "source_code": rng.choice(["", "email", "fb", "tw", "email_2026-05", "partner-union"]),
        "Volunteer_Phonebank to voters": rng.choice(["", "", "", "1"]),
    }


def _ordered(header: list[str], email: str, ts: str, url: str = "") -> list[str]:
    """An e-mail activity row in its file's column order."""
    by_name = {"Email": email, "Timestamp": ts, "Url": url}
    return [by_name[h] for h in header]


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------

EXTRA_TITLE = "Keep Clinics Open Late"


def extra_file_name() -> str:
    """The --extra-file export's name (inside raw/petitions/): a later Keep Clinics export."""
    return "export-2026-11-19-csv_report_340982_1795107912.csv"


def generate_extra(out_dir: Path, people: int, seed: int) -> Path:
    """One new, small petition export signed by ~1% of the same people (incremental builds)."""
    path = out_dir / "raw" / "petitions" / extra_file_name()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(sample.PETITION_HEADER)
        sink = Sink(f"petitions/{path.name}", list(sample.PETITION_HEADER), handle, writer)
        for i in range(people):
            rng = person_rng(seed, i, stream=1)
            if rng.random() >= 0.01:
                continue
            p, _ = make_person(seed, i)
            ts = dt.datetime.combine(AS_OF - dt.timedelta(days=1), dt.time()) + dt.timedelta(
                seconds=rng.randrange(0, 86_400)
            )
            sink.write(an_row(p, rng, ts, EXTRA_TITLE))
    print(f"wrote 1 file, {sink.rows} data rows: {path}", flush=True)
    return path


def generate(out_dir: Path, people: int, seed: int = DEFAULT_SEED, quiet: bool = False) -> dict:
    """Write `out_dir/raw/<kind>/...` and `out_dir/AS_OF`; returns a summary dict."""
    if people < 1:
        raise ValueError("--people must be at least 1")
    if (out_dir / "raw").exists():
        shutil.rmtree(out_dir / "raw")
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    out = Output(out_dir)
    corpus = Corpus(out, people, seed)
    step = max(1, people // 20)
    for i in range(people):
        person, rng = make_person(seed, i)
        corpus.person(person, rng)
        if not quiet and (i + 1) % step == 0 and i + 1 < people:
            print(
                f"  people {i + 1:,}/{people:,}  rows {out.rows():,}  "
                f"{time.monotonic() - started:.0f}s",
                flush=True,
            )
    corpus.finish()
    (out_dir / "AS_OF").write_text(AS_OF.isoformat() + "\n", encoding="utf-8")
    size = sum(f.stat().st_size for f in (out_dir / "raw").rglob("*") if f.is_file())
    summary = {
        "people": people,
        "seed": seed,
        "files": out.files(),
        "data_rows": out.rows(),
        "bytes": size,
        "seconds": round(time.monotonic() - started, 1),
        "kinds": sorted({s.rel.split("/")[0] for s in out.sinks}),
    }
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a raw folder of the sample's kinds of spreadsheets (same layouts, "
        "encodings, delimiters and mess) for N synthetic people: DIR/raw/<kind>/... and "
        "DIR/AS_OF. Deterministic for (N, seed); memory does not grow with N (rows are "
        "streamed). N=1,000,000 gives 116 files, ~10.5 million rows, ~0.9 GB.",
        epilog="With --extra-file, only one new small petition export (~1%% of the same people) "
        "is written to DIR/raw/petitions/, for incremental-build benchmarks.",
    )
    parser.add_argument("--people", type=int, required=True, help="number of synthetic people N")
    parser.add_argument("--out", type=Path, required=True, help="output folder DIR")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--extra-file", action="store_true", help="write only the extra petition export (see below)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if args.people < 1:
        parser.error("--people must be at least 1")
    if args.extra_file:
        generate_extra(args.out, args.people, args.seed)
        return 0
    print(f"writing {args.people:,} people (seed {args.seed}) to {args.out / 'raw'}", flush=True)
    s = generate(args.out, args.people, args.seed, args.quiet)
    print(
        f"wrote {s['files']} files, {s['data_rows']:,} data rows, {s['bytes'] / 1e6:,.1f} MB "
        f"for {s['people']:,} people in {s['seconds']}s under {args.out / 'raw'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
