"""One bad file never stops the night: unreadable files are quarantined with their reason,
every other file is built, opt-outs flow, and `engage build` says so with exit code 5."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from sync.cli.app import app
from sync.cli.exits import EXIT_QUARANTINED


def _put(raw: Path, rel: str, data: bytes | str) -> None:
    path = raw / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def test_bad_files_are_quarantined_and_the_rest_builds_with_opt_outs(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _put(raw, "contacts/signups.csv", "Email,First Name,Last Name\nana@example.org,Ana,Reyes\n")
    _put(raw, "contacts/more.csv", "Email,First Name,Last Name\nbo@example.org,Bo,Fixture\n")
    _put(
        raw,
        "mailchimp_members/unsubscribed_members_export_x.csv",
        "Email Address,First Name,Last Name,UNSUB_TIME\nbo@example.org,Bo,Fixture,2026-10-01\n",
    )
    # a date that cannot be read: counted and printed, never lost quietly
    _put(raw, "petitions/dates.csv", "Email,Date\nzoe@example.org,someday\n")
    _put(raw, "contacts/junk.csv", bytes(range(256)) * 8)
    _put(raw, "petitions/cut.csv", 'Email,Comment\nzed@example.org,"never closed\n')
    _put(raw, "notes.txt", "a stray file in the root\n")
    (raw / "events").mkdir()
    os.mkfifo(raw / "events" / "pipe.csv")
    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(
        app,
        [
            "build",
            *("--raw-dir", str(raw), "--db", str(db), "--target", "dev"),
            *("--as-of", "2026-11-20", "--json"),
        ],
    )
    assert result.exit_code == EXIT_QUARANTINED, result.output
    [line] = result.stdout.splitlines()  # one JSON object on one line; dbt's log on stderr
    summary = json.loads(line)
    assert summary["status"] == "warnings" and summary["error"] is None
    assert summary["success"] is True
    assert summary["unparsed_values"] == [
        {"file": "petitions/dates.csv", "columns": 'occurred_at ("Date"): 1 rows, first row 2'}
    ]
    assert {q["file"] for q in summary["quarantined_files"]} == {
        "contacts/junk.csv",
        "events/pipe.csv",
        "notes.txt",
        "petitions/cut.csv",
    }
    with duckdb.connect(str(db), read_only=True) as con:
        reasons = dict(
            con.execute(
                "select file_path, read_error from source_files where read_error is not null"
            ).fetchall()
        )
        statuses = dict(con.execute("select email, email_status from supporters").fetchall())
    assert "binary file" in reasons["contacts/junk.csv"]
    assert "named pipe" in reasons["events/pipe.csv"]
    assert "never closed" in reasons["petitions/cut.csv"]
    assert "directly in the raw folder" in reasons["notes.txt"]
    assert statuses["bo@example.org"] == "unsubscribed"  # the opt-out flowed
    assert "ana@example.org" in statuses
