"""The bundled sample set: reproducible from its generator, and its planted cases are real.

Owns the checks that `sample_data/` never drifts from `scripts/make_sample_data.py`, that every
planted case in `planted_cases.json` points at a row that really carries the raw value, and that
the file-level mess the README promises (encodings, delimiters, BOM, CRLF, XLSX...) is there.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_data"
KINDS = [
    "contacts", "mailchimp_members", "email_activity", "petitions", "events",
    "legislator_contacts", "stories", "consultations", "volunteers", "donations",
    "sms_messages", "calls",
]  # fmt: skip
GENERATED = ("raw", "ground_truth", "AS_OF", "planted_cases.json")


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_sample_data", REPO / "scripts" / "make_sample_data.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _files_under(root: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for name in GENERATED:
        path = root / name
        if path.is_file():
            found[name] = path.read_bytes()
        elif path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file():
                    found[f.relative_to(root).as_posix()] = f.read_bytes()
    return found


@cache
def _meta() -> dict:
    return json.loads((SAMPLE / "planted_cases.json").read_text(encoding="utf-8"))


def _file_meta(rel: str) -> dict:
    return next(f for f in _meta()["files"] if f["path"] == rel)


@cache
def _rows(rel: str, sheet: str = "") -> tuple[list[str], dict[int, dict[str, str]]]:
    """Header and {row_number: {header: value}} numbered as a spreadsheet shows them."""
    path = SAMPLE / "raw" / rel
    if rel.endswith(".xlsx"):
        from openpyxl import load_workbook

        ws = load_workbook(path, read_only=True)[sheet]
        grid = list(ws.iter_rows(values_only=True))
        header = [str(h) for h in grid[0]]
        out = {}
        for number, values in enumerate(grid[1:], start=2):
            cells = ["" if v is None else str(v) for v in values]
            if any(c.strip() for c in cells):
                out[number] = dict(zip(header, cells, strict=False))
        return header, out
    meta = _file_meta(rel)
    encoding = {"utf-8-sig": "utf-8-sig"}.get(meta["encoding"], meta["encoding"])
    text = path.read_bytes().decode(encoding)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=meta["delimiter"]))
    header = records[0]
    return header, {
        n: dict(zip(header, rec, strict=True)) for n, rec in enumerate(records[1:], start=2)
    }


def test_generator_reproduces_the_committed_set_byte_for_byte(tmp_path: Path) -> None:
    gen = _load_generator()
    gen.generate(tmp_path)
    fresh, committed = _files_under(tmp_path), _files_under(SAMPLE)
    assert sorted(fresh) == sorted(committed), (
        "file lists differ; rerun `.venv/bin/python scripts/make_sample_data.py` and commit"
    )
    drifted = [name for name in fresh if fresh[name] != committed[name]]
    assert not drifted, f"committed sample files differ from the generator: {drifted[:5]}"


def test_anchor_date_is_fixed() -> None:
    assert (SAMPLE / "AS_OF").read_text(encoding="utf-8").strip() == "2026-11-20"
    assert _meta()["as_of"] == "2026-11-20"


def test_every_kind_has_a_file_and_row_counts_match_the_inventory() -> None:
    by_kind: dict[str, int] = {}
    for f in _meta()["files"]:
        by_kind[f["kind"]] = by_kind.get(f["kind"], 0) + 1
        if f["path"].endswith(".xlsx"):
            for sheet in f["sheets"]:
                assert len(_rows(f["path"], sheet["sheet"])[1]) == sheet["data_rows"]
        else:
            assert len(_rows(f["path"])[1]) == f["data_rows"], f["path"]
    assert sorted(by_kind) == sorted(KINDS)
    on_disk = sorted(
        p.relative_to(SAMPLE / "raw").as_posix() for p in (SAMPLE / "raw").rglob("*.*")
    )
    assert on_disk == sorted(f["path"] for f in _meta()["files"])


def test_population_is_a_few_hundred_people_with_fake_contact_details() -> None:
    assert 300 <= _meta()["people"]["total"] <= 500
    truth = list(
        csv.DictReader(
            io.StringIO((SAMPLE / "ground_truth" / "row_people.csv").read_text(encoding="utf-8"))
        )
    )
    assert len({r["person_id"] for r in truth if r["person_id"]}) == _meta()["people"]["total"]
    _, rows = _rows("mailchimp_members/subscribed_members_export_3f9a1c7e2b.csv")
    domains = {r["Email Address"].split("@")[1] for r in rows.values()}
    assert domains <= {"example.org", "example.com", "example.net"}


def test_planted_rows_carry_the_raw_values_they_claim() -> None:
    checked = 0
    for name, case in _meta()["cases"].items():
        for ref in case.get("rows", []):
            _, rows = _rows(ref["file"], ref.get("sheet", ""))
            assert ref["row_number"] in rows, f"{name}: {ref}"
            values = rows[ref["row_number"]].values()
            for key in ("raw_email", "raw_phone", "raw_postcode", "raw_name"):
                if key in ref:
                    assert any(str(ref[key]) == v or str(ref[key]) in v for v in values), (
                        f"{name}: {ref['file']} row {ref['row_number']} lacks {ref[key]!r}"
                    )
                    checked += 1
    assert checked >= 40


def test_identity_cases_are_shaped_as_the_tests_need() -> None:
    cases = _meta()["cases"]
    rosa = cases["rosa_four_files"]
    assert len({r["file"] for r in rosa["rows"]}) == 4
    spellings = {r["raw_email"] for r in rosa["rows"]}
    assert {s.strip().lower().removeprefix("mailto:").strip("<>") for s in spellings} == {
        "rosa@example.org"
    }
    assert len(spellings - {"rosa@example.org"}) == 3
    office = cases["shared_office_phone"]["rows"]
    assert len({r["raw_email"] for r in office}) == 2
    role = cases["role_address"]["rows"]
    assert len({r["name"] for r in role}) == 6  # more users than identity_max_group_size (5)
    for case in ("attach_by_phone", "attach_by_name_postcode"):
        for ref in cases[case]["rows"]:
            _, rows = _rows(ref["file"], ref.get("sheet", ""))
            values = rows[ref["row_number"]]
            assert not any("@" in v for v in values.values()), f"{case} row has an e-mail"


def test_duplicate_rows_and_reupload_are_exact_copies() -> None:
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for ref in _meta()["cases"]["exact_duplicate_row"]["rows"]:
        _, rows = _rows(ref["file"])
        groups.setdefault((ref["file"], ref["group"]), []).append(rows[ref["row_number"]])
    assert len(groups) >= 4
    for key, copies in groups.items():
        assert len(copies) == 2 and copies[0] == copies[1], key
    reup = _meta()["cases"]["reuploaded_file"]
    assert reup["original"] != reup["copy"]
    raw = SAMPLE / "raw"
    assert (raw / reup["original"]).read_bytes() == (raw / reup["copy"]).read_bytes()


def test_file_level_mess_is_present() -> None:
    files = {f["path"]: f for f in _meta()["files"]}
    assert any(f.get("delimiter") == ";" for f in files.values())
    cp1252 = [p for p, f in files.items() if f["encoding"] == "cp1252"]
    assert cp1252
    data = (SAMPLE / "raw" / cp1252[0]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    assert "’" in text and "“" in text and "é" in text
    bom = [
        p for p, f in files.items() if f["encoding"] == "utf-8-sig" and f["line_ending"] == "CRLF"
    ]
    assert bom
    raw = (SAMPLE / "raw" / bom[0]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert any(
        "\n" in v
        for p in files
        if p.endswith(".csv")
        for r in _rows(p)[1].values()
        for v in r.values()
    ), "no quoted newline anywhere"
    xlsx = [f for f in files.values() if f["path"].endswith(".xlsx")]
    assert xlsx and len(xlsx[0]["sheets"]) == 2
    assert all(s["blank_rows"] > 0 for s in xlsx[0]["sheets"])


def test_campaign_names_come_from_email_activity_file_names() -> None:
    names = sorted(p.name for p in (SAMPLE / "raw" / "email_activity").iterdir())
    reports = {n.split("_", 1)[0] for n in names}
    assert reports == {"opened", "clicked", "sent-to"}
    headers = {tuple(_rows(f"email_activity/{n}")[0]) for n in names}
    assert ("Email", "Timestamp") in headers and ("Timestamp", "Email") in headers
    assert any("Url" in h for h in headers)


def test_readme_names_every_file_outside_email_activity() -> None:
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    missing = []
    for f in _meta()["files"]:
        name = Path(f["path"]).name
        if f["kind"] == "email_activity":
            continue
        if f"`{name}`" not in readme:
            missing.append(name)
    assert not missing, f"sample_data/README.md does not describe: {missing}"


def _phone_key(raw: str) -> str:
    """Digits of a US/UK phone in one national form (a test-side stand-in for E.164)."""
    digits = "".join(c for c in raw if c.isdigit())
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    elif len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    elif len(digits) == 10 and digits.startswith("7"):
        digits = "0" + digits  # a UK mobile typed as a number
    return digits


@cache
def _truth() -> dict[tuple[str, str, int], str]:
    text = (SAMPLE / "ground_truth" / "row_people.csv").read_text(encoding="utf-8")
    return {
        (r["file"], r["sheet"], int(r["row_number"])): r["person_id"]
        for r in csv.DictReader(io.StringIO(text))
    }


def _pid(ref: dict) -> str:
    return _truth()[(ref["file"], ref.get("sheet", ""), ref["row_number"])]


def test_ground_truth_agrees_with_the_identity_cases() -> None:
    cases = _meta()["cases"]
    assert len({_pid(r) for r in cases["rosa_four_files"]["rows"]}) == 1
    assert len({_pid(r) for r in cases["shared_office_phone"]["rows"]}) == 2
    assert len({_pid(r) for r in cases["role_address"]["rows"]}) == 6
    for ref in cases["exact_duplicate_row"]["rows"]:
        assert _pid(ref)


def test_phones_belong_to_one_person_except_the_planted_office_phone() -> None:
    owners: dict[str, set[str]] = {}
    for f in _meta()["files"]:
        sheets = [s["sheet"] for s in f["sheets"]] if f["path"].endswith(".xlsx") else [""]
        for sheet in sheets:
            header, rows = _rows(f["path"], sheet)
            columns = [h for h in header if "phone" in h.lower() or "mobile" in h.lower()]
            for number, row in rows.items():
                for col in columns:
                    key = _phone_key(row[col])
                    pid = _truth()[(f["path"], sheet, number)]
                    if len(key) >= 10 and pid:
                        owners.setdefault(key, set()).add(pid)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert set(shared) == {"8155550100"}, shared
    assert len(owners) > 150
    for ref in _meta()["cases"]["attach_by_phone"]["rows"]:
        assert owners[_phone_key(ref["raw_phone"])] == {_pid(ref)}, ref
    for ref in _meta()["cases"]["no_attach_shared_phone"]["rows"]:
        assert len(owners[_phone_key(ref["raw_phone"])]) == 2
