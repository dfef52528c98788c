"""The DuckDB fast path reads plain CSV exactly as the Python reader does, and steps aside
for every file it would read differently."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sync.ingest import fast_csv, parse
from sync.warehouse.project import PROJECT_DIR

SAMPLE_RAW = PROJECT_DIR / "sample_data" / "raw"
SAMPLE_CSVS = sorted(p for p in SAMPLE_RAW.rglob("*") if p.suffix.lower() in (".csv", ".tsv"))


def _rows(out_dir: Path) -> list[tuple]:
    if not any(out_dir.glob("*/*.parquet")):
        return []
    rel = duckdb.sql(
        f"select * from read_parquet('{out_dir}/*/*.parquet', union_by_name = true, "
        "hive_partitioning = false)"
    )
    names = rel.columns
    return sorted(
        tuple((n, v) for n, v in zip(names, row, strict=True) if v is not None)
        for row in rel.fetchall()
    )


def _both(path: Path, rel: str, tmp_path: Path, monkeypatch) -> tuple:
    fast = parse.parse_file(str(path), rel, str(tmp_path / "fast"))
    with monkeypatch.context() as m:
        m.setattr(fast_csv, "eligible", lambda data: False)
        slow = parse.parse_file(str(path), rel, str(tmp_path / "slow"))
    return fast, _rows(tmp_path / "fast"), slow, _rows(tmp_path / "slow")


@pytest.mark.parametrize("path", SAMPLE_CSVS, ids=lambda p: p.name)
def test_every_sample_csv_reads_the_same_on_both_paths(path: Path, tmp_path, monkeypatch):
    rel = path.relative_to(SAMPLE_RAW).as_posix()
    fast, fast_rows, slow, slow_rows = _both(path, rel, tmp_path, monkeypatch)
    assert fast == slow
    assert fast_rows == slow_rows


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("ragged.csv", "Email,Name,\nana@x.org,Ana,,\nbob@x.org,Bob,,extra\n"),
        ("spaces.csv", "Email,Name\n ANA@x.org ,  \n   ,\nbob@x.org,Bob\n"),
        ("quoted.csv", 'Email,Note\r\nana@x.org,"line one\r\nline two, ""quoted"""\r\n'),
        ("stray.csv", 'Email,Note\nana@x.org,5" tall\nbob@x.org,ok\n'),
        ("semi.csv", "Email;Amount\nana@x.org;1,5\nbob@x.org;2\n"),
        ("tab.tsv", "Email\tName\nana@x.org\tAna\n"),
        ("bom.csv", "\ufeffEmail,Name\nana@x.org,Ana\n"),
        ("no_newline.csv", 'Email,Note\nana@x.org,"end"'),
        ("header_only.csv", "Email,Name\n"),
        ("unicode.csv", "Email,Name\nzoe@x.org,Zoë Fakeström\n"),
        ("wide_header.csv", "Email,Name,Zip,,\nana@x.org,Ana\n"),
        # DuckDB's sniffer would take # for a comment and drop the row
        ("hash.csv", "Email,Name,Zip\n#ana@x.org,Ana,1\nbob@x.org,Bob,2\n"),
        # a title line above the header: DuckDB's sniffer would skip it
        ("title.csv", "Signups report\nEmail,Name,Zip\nana@x.org,Ana,1\n"),
        # a row wider than the header: lax DuckDB would drop "extra"
        ("wider.csv", "Email,Name\nana@x.org,Ana\nbob@x.org,Bob,,extra\n"),
        ("crlf_blankish.csv", "Email,Name,Zip\r\n  ,,\r\nc@x.org\r\n"),
    ],
)
def test_tricky_files_read_the_same_on_both_paths(name, text, tmp_path, monkeypatch):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    fast, fast_rows, slow, slow_rows = _both(path, f"contacts/{name}", tmp_path, monkeypatch)
    assert fast == slow
    assert fast_rows == slow_rows


@pytest.mark.parametrize(
    "data",
    [
        b"Email\n\nana@x.org\n",  # a blank line shifts DuckDB's numbering
        b"Email\r\n\r\nana@x.org\r\n",
        b"Email\rana@x.org\r",  # old Mac line ends
        "Email\nren\xe9@x.org\n".encode("cp1252"),  # not UTF-8
        b"sep=;\nEmail;Name\n",
        b"Email\nana@x.org\x00\n",
        b'Email,Note\nbob@x.org,"never closed\n',  # the Python reader names the row
        b"",
    ],
)
def test_files_duckdb_would_read_differently_take_the_python_reader(data: bytes):
    assert not fast_csv.eligible(data)
