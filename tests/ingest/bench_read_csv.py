"""Benchmark (not a test): cells/second reading a large CSV into the raw tables.

    .venv/bin/python tests/ingest/bench_read_csv.py [--rows 100000] [--cols 15] [--repeat 3]
        [--xlsx]

Generates one UTF-8 and one cp1252 file of `rows` x `cols` (realistic short values, some blank
cells, a quoted comma per row), then times the full path the dbt plugin runs for one file
(decode, sniff, parse, long format, content hash), the stages separately, and the
`CREATE OR REPLACE TABLE ... AS SELECT * FROM <arrow>` dbt-duckdb runs per source load.
With --xlsx, also the same data as a one-sheet workbook (numbers stored as numbers).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from sync.ingest.decoding import decode_bytes
from sync.ingest.readers import parse_delimited
from sync.ingest.scan import build_tables, list_raw_files

FIRST = ["Ana", "Bob", "Zoë", "José", "Siobhán", "Li", "Marta", "Chloé", "Ömer", "Kate"]
LAST = ["Reyes", "O'Neil", "Müller", "Smith", "Nguyen", "García", "Brontë", "Lee"]


def make_rows(rows: int, cols: int, seed: int = 7) -> list[list[str]]:
    rnd = random.Random(seed)
    out = [[f"Column {j + 1}" for j in range(cols)]]
    for i in range(rows):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        row = [
            f"{first.lower()}.{i}@example.org",
            first,
            last,
            f"{rnd.randint(0, 99999):05d}",
            f"{rnd.randint(1, 12)}/{rnd.randint(1, 28)}/24",
            f'"{last}, {first}"',
            rnd.choice(["Yes", "No", "", "TRUE"]),
        ]
        while len(row) < cols:
            row.append(rnd.choice(["", "x", "12.50", "housing", "“quoted” – text", "volunteer"]))
        out.append(row[:cols])
    return out


def write(path: Path, rows: list[list[str]], encoding: str) -> None:
    text = "\r\n".join(",".join(r) for r in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_xlsx(raw: Path, rows: list[list[str]], repeat: int) -> None:
    import openpyxl

    (raw / "events").mkdir(parents=True)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    for r in rows:
        ws.append([int(v) if v.isdigit() and not v.startswith("0") else v for v in r])
    wb.save(raw / "events" / "big.xlsx")
    entries = list_raw_files(raw)
    cells = build_tables(entries).raw_cells.num_rows
    t_total = timed(lambda: build_tables(entries), repeat)
    print(
        f"xlsx   : {len(rows) - 1} rows, {cells} non-blank cells | total {t_total:.3f}s "
        f"= {cells / t_total / 1e6:.2f} M cells/s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--cols", type=int, default=15)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--xlsx", action="store_true", help="also time an XLSX of the same data")
    args = ap.parse_args()
    rows = make_rows(args.rows, args.cols)
    with tempfile.TemporaryDirectory() as tmp:
        for encoding in ("utf-8", "cp1252"):
            raw = Path(tmp) / encoding
            (raw / "contacts").mkdir(parents=True)
            path = raw / "contacts" / "big.csv"
            write(path, rows, encoding)
            data = path.read_bytes()
            text, label = decode_bytes(data)
            entries = list_raw_files(raw)
            tables = build_tables(entries)
            cells = tables.raw_cells.num_rows
            t_decode = timed(lambda d=data: decode_bytes(d), args.repeat)
            t_parse = timed(lambda t=text: parse_delimited(t), args.repeat)
            t_total = timed(lambda e=entries: build_tables(e), args.repeat)
            con = duckdb.connect()
            con.register("cells_df", tables.raw_cells)
            t_duck = timed(
                lambda c=con: c.execute("create or replace table c as select * from cells_df"),
                args.repeat,
            )
            con.close()
            print(
                f"{encoding:7s} ({label}): {args.rows} rows x {args.cols} cols, "
                f"{len(data) / 1e6:.1f} MB, {cells} non-blank cells | decode {t_decode:.3f}s, "
                f"decode+parse {t_decode + t_parse:.3f}s, total {t_total:.3f}s "
                f"= {cells / t_total / 1e6:.2f} M cells/s | into DuckDB {t_duck:.3f}s"
            )
        if args.xlsx:
            bench_xlsx(Path(tmp) / "xlsx", rows, args.repeat)


if __name__ == "__main__":
    main()
