"""The seeds generated from libraries (scripts/make_intl_seeds.py) are what the pinned libraries
give (drift is caught when one is upgraded), and the names people write resolve through the
same key staging uses (docs/international.md). Fast: no warehouse build."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "make_intl_seeds", REPO / "scripts" / "make_intl_seeds.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_intl_seeds"] = module
    spec.loader.exec_module(module)
    return module


intl = _load_script()


@pytest.mark.parametrize("seed", sorted(intl.SEED_FILES))
def test_committed_seed_is_what_the_pinned_library_gives(seed: str):
    committed = (REPO / "seeds" / f"{seed}.csv").read_text(encoding="utf-8")
    assert committed == intl.render(seed), (
        f"seeds/{seed}.csv differs from its library: run scripts/make_intl_seeds.py"
    )


def _aliases() -> dict[str, str]:
    """The lookup staging does: the hand seed wins over the generated one."""
    with (REPO / "seeds" / "country_aliases.csv").open(encoding="utf-8") as fh:
        aliases = {row["alias"]: row["country_code"] for row in csv.DictReader(fh)}
    with (REPO / "seeds" / "country_aliases_local.csv").open(encoding="utf-8") as fh:
        aliases.update({row["alias"]: row["country_code"] for row in csv.DictReader(fh)})
    return aliases


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Chile", "CL"),
        ("CHL", "CL"),
        ("Belgique", "BE"),
        ("België", "BE"),
        ("Belgie", "BE"),
        ("Belgium", "BE"),
        ("BE", "BE"),
        ("BEL", "BE"),
        ("United Arab Emirates", "AE"),
        ("UAE", "AE"),
        ("U.A.E.", "AE"),
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("Côte d'Ivoire", "CI"),
        ("Côte d’Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Türkiye", "TR"),
        ("Turkiye", "TR"),
        ("Turkey", "TR"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("Scotland", "GB"),
        ("UK", "GB"),
        ("Holland", "NL"),
        ("Nederland", "NL"),
        ("Canada", "CA"),
        ("Australia", "AU"),
        ("España", "ES"),
        ("Schweiz", "CH"),
        ("Brasil", "BR"),
    ],
)
def test_country_names_codes_and_variants_resolve(written: str, code: str):
    assert _aliases().get(intl.sql_key(written)) == code


def test_the_python_key_is_the_sql_key():
    """engage_key in macros/normalise/text.sql: the seeds are keyed the same way."""
    macro = (REPO / "macros" / "normalise" / "text.sql").read_text(encoding="utf-8")
    assert "'[^a-z0-9]+'" in macro and "'^_+|_+$'" in macro
    assert intl.sql_key("  Côte d’Ivoire ") == "c_te_d_ivoire"


def test_generated_patterns_are_portable():
    """Only constructs RE2 (DuckDB) and PostgreSQL read alike: no escapes, no lookarounds."""
    for seed, column in (
        ("postcode_formats", "postcode_pattern"),
        ("phone_country_rules", "national_number_pattern"),
    ):
        with (REPO / "seeds" / f"{seed}.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                pattern = row[column]
                assert "\\" not in pattern and "(?=" not in pattern and "(?<" not in pattern
                assert pattern.startswith("^(?:") and pattern.endswith(")$")
                re.compile(pattern)


def test_every_postcode_example_matches_its_pattern():
    with (REPO / "seeds" / "postcode_formats.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["example"]:
                assert re.fullmatch(row["postcode_pattern"], row["example"]), row
