"""Reading delimited files: encodings, delimiters, quoting, blank rows and row numbers."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from sync.ingest.decoding import decode_bytes
from sync.ingest.errors import IngestError
from sync.ingest.parse import parse_file
from sync.ingest.readers import header_position, read_delimited, title_note


def _write(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _records(path: Path) -> list[tuple[int, list[str]]]:
    (sheet,) = read_delimited(path).sheets
    return list(zip(sheet.row_numbers, sheet.rows, strict=True))


# ---------------------------------------------------------------------------------- encodings


def test_utf8_bom_is_removed_from_the_first_header(tmp_path: Path) -> None:
    path = _write(tmp_path, codecs.BOM_UTF8 + "Email,Name\nana@x.org,Zoë\n".encode())
    content = read_delimited(path)
    assert content.encoding == "utf-8-sig"
    assert content.sheets[0].headers == ["Email", "Name"]
    assert content.sheets[0].rows == [["ana@x.org", "Zoë"]]


def test_plain_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path, "Email,Name\nana@x.org,Siobhán\n".encode())
    content = read_delimited(path)
    assert content.encoding == "utf-8"
    assert content.sheets[0].rows == [["ana@x.org", "Siobhán"]]


def test_windows_1252_with_smart_quotes_and_accents(tmp_path: Path) -> None:
    text = "Name,Comment,Amount\r\nRené,“Housing” – now,€5\r\nChloé,it’s fine,€10\r\n"
    path = _write(tmp_path, text.encode("cp1252"))
    content = read_delimited(path)
    assert content.encoding == "cp1252"
    assert content.sheets[0].rows == [
        ["René", "“Housing” – now", "€5"],
        ["Chloé", "it’s fine", "€10"],
    ]


def test_latin1_without_windows_only_characters(tmp_path: Path) -> None:
    path = _write(tmp_path, "Nombre;Ciudad\nNúñez;Córdoba\n".encode("latin-1"))
    content = read_delimited(path)
    assert content.encoding == "latin-1"
    assert content.sheets[0].rows == [["Núñez", "Córdoba"]]


def test_cp1252_undefined_bytes_do_not_lose_the_row(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252; the row must survive (read as the Latin-1 control char).
    path = _write(tmp_path, b"Name,Note\nRen\xe9,a\x81b\nBob,ok\n")
    assert [r for _, r in _records(path)] == [["René", "a\x81b"], ["Bob", "ok"]]


def test_utf16_with_bom_tab_delimited_as_excel_unicode_text(tmp_path: Path) -> None:
    text = "Email\tFirst Name\r\nana@x.org\tZoë\r\nbob@x.org\tŁukasz\r\n"
    path = _write(tmp_path, text.encode("utf-16"), name="export.txt")
    content = read_delimited(path)
    assert content.encoding == "utf-16"
    assert content.delimiter == "\t"
    assert content.sheets[0].headers == ["Email", "First Name"]
    assert content.sheets[0].rows == [["ana@x.org", "Zoë"], ["bob@x.org", "Łukasz"]]


def test_utf16_without_bom_is_recognised(tmp_path: Path) -> None:
    path = _write(tmp_path, "Email,Name\nana@x.org,Zoë\n".encode("utf-16-le"))
    content = read_delimited(path)
    assert content.encoding == "utf-16-le"
    assert content.sheets[0].rows == [["ana@x.org", "Zoë"]]


def test_file_mixing_utf8_and_cp1252_rows_keeps_both_right(tmp_path: Path) -> None:
    data = "Name,City\nZoë,Köln\n".encode() + "René,Orléans\n".encode("cp1252")
    path = _write(tmp_path, data)
    content = read_delimited(path)
    assert content.encoding == "utf-8+cp1252"
    assert content.sheets[0].rows == [["Zoë", "Köln"], ["René", "Orléans"]]


def test_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, b"PK\x03\x04\x00\x00\x00\x08\x00binary", name="oops.csv")
    with pytest.raises(IngestError, match=r"contacts/oops\.csv: looks like a binary file"):
        read_delimited(path, "contacts/oops.csv")


def test_truncated_utf16_names_the_file(tmp_path: Path) -> None:
    data = "Email\nana@x.org\n".encode("utf-16")[:-1]
    with pytest.raises(IngestError, match="x.txt: declared utf-16"):
        decode_bytes(data, "x.txt")


# --------------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    d = delimiter
    text = (
        f"Email{d}First Name{d}Last Name{d}Note\n"
        f'ana@x.org{d}Ana{d}Reyes{d}"has {d} inside, and ; too"\n'
        f"bob@x.org{d}Bob{d}{d}plain\n"
    )
    content = read_delimited(_write(tmp_path, text.encode()))
    assert content.delimiter == delimiter
    assert content.sheets[0].headers == ["Email", "First Name", "Last Name", "Note"]
    assert content.sheets[0].rows == [
        ["ana@x.org", "Ana", "Reyes", f"has {d} inside, and ; too"],
        ["bob@x.org", "Bob", "", "plain"],
    ]


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    text = "Email;Amount;Date\nana@x.org;12,50;01/02/2024\nbob@x.org;7,5;02/02/2024\n"
    content = read_delimited(_write(tmp_path, text.encode()))
    assert content.delimiter == ";"
    assert content.sheets[0].rows[0] == ["ana@x.org", "12,50", "01/02/2024"]


def test_excel_sep_hint_line_sets_the_delimiter_and_is_not_a_row(tmp_path: Path) -> None:
    text = "sep=;\r\nEmail;Name\r\nana@x.org;Ana, Reyes\r\n"
    path = _write(tmp_path, text.encode())
    content = read_delimited(path)
    assert content.delimiter == ";"
    assert content.sheets[0].headers == ["Email", "Name"]
    assert _records(path) == [(2, ["ana@x.org", "Ana, Reyes"])]


def test_tsv_single_column_keeps_tab_preference(tmp_path: Path) -> None:
    content = read_delimited(_write(tmp_path, b"Email\nana@x.org\n", name="list.tsv"))
    assert content.delimiter == "\t"
    assert content.sheets[0].rows == [["ana@x.org"]]


# ------------------------------------------------------------------- quoting and row numbers


def test_crlf_quoted_newline_and_doubled_quotes_count_as_one_row(tmp_path: Path) -> None:
    text = (
        "Email,Name,Story\r\n"
        'ana@x.org,"Reyes, Ana","Line one\r\nline two"\r\n'
        'bob@x.org,"Bob ""B"" Smith",short\r\n'
    )
    assert _records(_write(tmp_path, text.encode())) == [
        (2, ["ana@x.org", "Reyes, Ana", "Line one\r\nline two"]),
        (3, ["bob@x.org", 'Bob "B" Smith', "short"]),
    ]


def test_blank_rows_are_skipped_but_numbering_continues(tmp_path: Path) -> None:
    text = "Email,Name\n\nana@x.org,Ana\n , \n,\nbob@x.org,Bob\n\n\n"
    assert _records(_write(tmp_path, text.encode())) == [
        (3, ["ana@x.org", "Ana"]),
        (6, ["bob@x.org", "Bob"]),
    ]


def test_headers_trimmed_duplicates_and_empties_kept_by_position(tmp_path: Path) -> None:
    text = "\ufeff Email , Name,,Name\t\nana@x.org,Ana,x,Reyes\n"
    content = read_delimited(_write(tmp_path, text.encode()))
    assert content.sheets[0].headers == ["Email", "Name", "", "Name"]


def test_unclosed_quote_is_an_error_not_silently_swallowed_rows(tmp_path: Path) -> None:
    text = 'Email,Name\nana@x.org,Ana\nbob@x.org,"Bob\ncat@x.org,Cat\ndan@x.org,Dan\n'
    path = _write(tmp_path, text.encode())
    with pytest.raises(IngestError, match=r"petitions/p\.csv: row 3 opens a quoted value"):
        read_delimited(path, "petitions/p.csv")


def test_quoted_value_at_end_of_file_without_newline_is_fine(tmp_path: Path) -> None:
    text = 'Email,Story\nana@x.org,"two\nlines"'
    assert _records(_write(tmp_path, text.encode())) == [(2, ["ana@x.org", "two\nlines"])]


def test_stray_quote_inside_unquoted_value_is_kept(tmp_path: Path) -> None:
    text = 'Name,Height\nAna,5" tall\nBob,6 ft\n'
    assert _records(_write(tmp_path, text.encode())) == [
        (2, ["Ana", '5" tall']),
        (3, ["Bob", "6 ft"]),
    ]


def test_empty_file_has_no_sheet_and_says_why(tmp_path: Path) -> None:
    content = read_delimited(_write(tmp_path, b"\r\n\r\n"))
    assert content.sheets == []
    assert content.empty_reason == "empty file: no header row"


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    content = read_delimited(_write(tmp_path, b"Email,Name\r\n"))
    assert content.sheets[0].headers == ["Email", "Name"]
    assert content.sheets[0].rows == []


# ---------------------------------------------------------------------------- title above header


@pytest.mark.parametrize(
    ("records", "position"),
    [
        ([["Email", "Name", "Zip"], ["a@x.org", "A", "1"]], 0),
        ([["Contributions report 2024"], ["Date", "Email", "Amount"], ["d", "e", "1"]], 1),
        ([["Report"], ["Generated 2024-12-31", ""], ["Date", "Email", "Amount"]], 2),
        ([["Email"], ["a@x.org"], ["b@x.org"]], 0),  # a one-column file: no title
        ([["Email", "Name"], ["a@x.org", "A"]], 0),
        # a row filling more than two cells that is not header-wide: in doubt, the first row
        ([["A", "B", "C"], ["Date", "Email", "Amount", "Zip", "Name", "Phone", "Ref", "X"]], 0),
        ([["Title"]], 0),
        ([], 0),
    ],
)
def test_header_position(records: list[list[str]], position: int) -> None:
    assert header_position(records) == position


def test_a_title_above_the_header_is_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        b"Contributions report 2024\nGenerated 2024-12-31,\n\nDate,Email,Amount\n"
        b"2024-01-01,ana@x.org,5\n",
    )
    (sheet,) = read_delimited(path).sheets
    assert sheet.headers == ["Date", "Email", "Amount"]
    assert (sheet.header_row, sheet.title_rows) == (4, [1, 2])
    assert _records(path) == [(5, ["2024-01-01", "ana@x.org", "5"])]
    assert title_note(sheet.header_row, sheet.title_rows) == (
        "header found on row 4; rows 1, 2 above it read as a title and skipped"
    )
    assert title_note(1, []) is None


def test_the_title_note_reaches_the_ingest_result(tmp_path: Path) -> None:
    path = _write(tmp_path, b"Signups report\nEmail,Name,Zip\nana@x.org,Ana,1\n")
    (result,) = parse_file(str(path), "contacts/f.csv", str(tmp_path / "out"))
    assert result["headers"] == ["Email", "Name", "Zip"]
    assert (
        result["read_note"] == "header found on row 2; row 1 above it read as a title and skipped"
    )
    plain = _write(tmp_path, b"Email,Name,Zip\nana@x.org,Ana,1\n", "plain.csv")
    (result,) = parse_file(str(plain), "contacts/plain.csv", str(tmp_path / "out2"))
    assert result["read_note"] is None
