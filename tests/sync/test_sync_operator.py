"""An operator can trust the nightly: one outcome per kind of night, each with its own exit
code, a one-line JSON summary, a row in the history and an alert (issue 15's test matrix).

Every case runs `engage nightly --json` from the command line against the sandbox and checks
what an operator sees: the exit code, stdout (one JSON object on one line), `engage runs`, and
the alert a local webhook receiver got through Apprise (`json://` on loopback).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from synctest_helpers import supporter
from typer.testing import CliRunner

from sync.cli.app import app
from sync.cli.exits import (
    EXIT_CONFIG,
    EXIT_DBT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_REFUSED,
    EXIT_REJECTS,
    EXIT_UNREACHABLE,
    EXIT_WARNINGS,
)

runner = CliRunner()
QUIET = {"enabled": False}  # no campaigns in these audiences: staleness would warn


class AlertReceiver:
    """A webhook on loopback that keeps every JSON body Apprise posts to it."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/alerts"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def alerts() -> Iterator[AlertReceiver]:
    receiver = AlertReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def night(env, monkeypatch, alerts):
    """The sandbox as target, fast retries, alerts to the local receiver, two supporters."""
    monkeypatch.setenv("MAILCHIMP_API_KEY", env.sandbox.api_key)
    monkeypatch.setenv("ENGAGE_MAILCHIMP_URL", env.sandbox.url)
    monkeypatch.setenv("ENGAGE_RETRY_ATTEMPTS", "2")
    monkeypatch.setenv("ENGAGE_RETRY_WAIT", "0.001")
    monkeypatch.setenv("ENGAGE_RETRY_WAIT_MAX", "0.01")
    monkeypatch.setenv("ENGAGE_ALERT_URLS", alerts.url)
    monkeypatch.delenv("ENGAGE_ALERT_ON", raising=False)
    env.declare(activity=QUIET)
    env.warehouse([supporter(1), supporter(2)], [("s0001", "a", "seg:a")])
    return env


def nightly(env, *args: str):
    """`engage nightly --json --skip-build` (the build is the test's own warehouse)."""
    return runner.invoke(
        app,
        ["nightly", "--json", "--skip-build", "--db", str(env.db)]
        + ["--manifest", str(env.manifest), *args],
    )


def last_run(env) -> dict[str, Any]:
    result = runner.invoke(app, ["runs", "--json", "--last", "1", "--db", str(env.db)])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)["runs"]
    return row


def check(env, alerts, result, code: int, outcome: str, alerted: bool) -> dict[str, Any]:
    """What every night shows: exit code, one JSON line, the history row, the alert."""
    assert result.exit_code == code, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout  # one JSON object on one line, nothing else
    payload = json.loads(lines[0])
    assert payload["status"] == outcome and payload["exit_code"] == code
    row = last_run(env)
    assert row["run_id"] == payload["run_id"] and row["outcome"] == outcome
    assert row["exit_code"] == code and row["finished_at"] and "total" in row["durations"]
    assert row["error"] == payload["error"]
    if alerted:
        assert len(alerts.received) == 1, alerts.received
        alert = alerts.received[0]
        assert outcome.upper() in alert["title"] and payload["run_id"] in alert["message"]
        text = json.dumps(alert)
        assert "@" not in text and env.sandbox.api_key not in text
        assert payload["alert"] == {"sent": True, "error": None}
    else:
        assert alerts.received == [] and payload["alert"] is None
    assert env.sandbox.api_key not in result.output
    return payload


def test_ok_night_exits_0_records_a_row_and_stays_quiet(night, alerts):
    payload = check(night, alerts, nightly(night), EXIT_OK, "ok", alerted=False)
    assert payload["counts"]["created"] == 2 and payload["error"] is None
    assert set(payload["durations"]) >= {"pull", "apply", "total"}
    # The warehouse has the night too, beside its pull and sync rows.
    [(status, counts)] = night.query(
        "select status, counts from engage_sync.sync_runs where command = 'nightly'"
    )
    assert status == "ok" and json.loads(counts)["totals"]["created"] == 2


def test_stale_campaign_activity_is_ok_with_warnings(night, alerts):
    night.declare()  # activity read back: no campaign was ever sent to this audience
    assert nightly(night).exit_code == EXIT_OK  # the first night creates the audience
    night.warehouse([supporter(1), supporter(2), supporter(3)], [])
    payload = check(night, alerts, nightly(night), EXIT_WARNINGS, "warnings", alerted=True)
    assert "no campaign activity ever" in payload["warnings"][0]
    assert payload["counts"]["created"] == 1  # the work was done
    assert "no campaign activity" in alerts.received[0]["message"]


def test_alert_on_picks_the_outcomes_that_alert(night, alerts, monkeypatch):
    night.declare()
    monkeypatch.setenv("ENGAGE_ALERT_ON", "build,refused,partial")
    assert nightly(night).exit_code == EXIT_OK
    check(night, alerts, nightly(night), EXIT_WARNINGS, "warnings", alerted=False)
    monkeypatch.setenv("ENGAGE_ALERT_ON", "nonsense")
    result = nightly(night)
    assert result.exit_code == EXIT_CONFIG and "ENGAGE_ALERT_ON" in result.output


def test_a_locked_night_is_recorded_although_it_cannot_open_the_warehouse(night, alerts):
    code = (
        "import sys, time; from pathlib import Path; from sync.jobs.lock import locked\n"
        "with locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(30)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(night.db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        payload = check(night, alerts, nightly(night), EXIT_LOCKED, "locked", alerted=True)
        assert "another engage run holds" in payload["error"]
        assert night.sandbox.request_log().count("POST") == 0
    finally:
        holder.kill()
        holder.wait()


def test_a_refused_night_exits_3_and_says_so(night, alerts):
    night.declare(activity=QUIET, safety={"max_tag_removals": 0, "max_tag_removals_pct": 0})
    assert nightly(night).exit_code == EXIT_OK
    night.warehouse([supporter(1), supporter(2)], [])  # the segment emptied: a tag removal
    payload = check(night, alerts, nightly(night), EXIT_REFUSED, "refused", alerted=True)
    assert payload["audiences"][0]["thresholds_hit"][0]["name"] == "max_tag_removals"
    assert "refused" in alerts.received[0]["message"]


def test_a_partial_night_exits_4(night, alerts):
    night.sandbox.set_faults({"rates": {"500": 1.0}, "endpoints": ["POST /lists/{list_id}"]})
    payload = check(night, alerts, nightly(night), EXIT_PARTIAL, "partial", alerted=True)
    assert payload["counts"]["failed"] == 2


def test_mailchimp_unreachable_exits_7_before_anything(night, alerts, monkeypatch):
    monkeypatch.setenv("ENGAGE_MAILCHIMP_URL", "http://127.0.0.1:9")  # nothing listens
    payload = check(night, alerts, nightly(night), EXIT_UNREACHABLE, "unreachable", alerted=True)
    assert "could not be reached" in payload["error"] and payload["audiences"] == []


def test_a_failed_build_exits_1_naming_the_model(night, alerts, monkeypatch):
    def broken_build(settings, extra, progress):
        return False, {"failures": ["seg_donors: Binder Error: column x not found"]}

    monkeypatch.setattr("sync.cli.mailchimp.dbt_build", broken_build)
    result = runner.invoke(
        app,
        ["nightly", "--json", "--raw-dir", str(night.tmp)]
        + ["--db", str(night.db), "--manifest", str(night.manifest)],
    )
    payload = check(night, alerts, result, EXIT_DBT_FAILED, "build", alerted=True)
    assert "seg_donors" in payload["error"] and night.sandbox.request_log().count("POST") == 0


def test_a_failed_build_still_pushes_the_opt_outs_and_nothing_else(night, alerts, monkeypatch):
    assert nightly(night).exit_code == EXIT_OK  # the audience exists, person2 subscribed
    alerts.received.clear()
    # The night's spreadsheets: person2 unsubscribed, person3 is new, tags moved. The build
    # fails in a segment, after the consent path (desired members and all beneath) built.
    night.warehouse(
        [supporter(1), supporter(2, email_status="unsubscribed", is_emailable=False), supporter(3)],
        [("s0001", "b", "seg:b"), ("s0003", "a", "seg:a")],
    )

    def segment_broken(settings, extra, progress):
        return False, {
            "failures": ["seg_donors: Binder Error: column x not found"],
            "built": ["mailchimp_desired_members", "mailchimp_members", "supporters"],
        }

    monkeypatch.setattr("sync.cli.mailchimp.dbt_build", segment_broken)
    night.sandbox.clear_request_log()
    result = runner.invoke(
        app,
        ["nightly", "--json", "--raw-dir", str(night.tmp)]
        + ["--db", str(night.db), "--manifest", str(night.manifest)],
    )
    payload = check(night, alerts, result, EXIT_DBT_FAILED, "build", alerted=True)
    assert "seg_donors" in payload["error"] and "Only opt-outs were pushed" in payload["error"]
    members = night.members()
    assert members["person2@campaign-mail.net"]["status"] == "unsubscribed"
    assert "person3@campaign-mail.net" not in members  # no create
    assert members["person1@campaign-mail.net"]["tags"] == ["seg:a"]  # no tag change
    writes = [e for e in night.sandbox.request_log().entries if e.method != "GET"]
    assert len(writes) == 1  # one batch: the unsubscribe


def test_a_build_that_failed_beneath_the_opt_outs_syncs_nothing(night, alerts, monkeypatch):
    assert nightly(night).exit_code == EXIT_OK
    alerts.received.clear()
    night.warehouse(
        [supporter(1), supporter(2, email_status="unsubscribed", is_emailable=False)], []
    )

    def identity_broken(settings, extra, progress):
        return False, {"failures": ["int_identity__components: out of memory"], "built": []}

    monkeypatch.setattr("sync.cli.mailchimp.dbt_build", identity_broken)
    night.sandbox.clear_request_log()
    result = runner.invoke(
        app,
        ["nightly", "--json", "--raw-dir", str(night.tmp)]
        + ["--db", str(night.db), "--manifest", str(night.manifest)],
    )
    payload = check(night, alerts, result, EXIT_DBT_FAILED, "build", alerted=True)
    assert "Nothing was synced" in payload["error"]
    assert [e for e in night.sandbox.request_log().entries if e.method != "GET"] == []


def test_a_high_reject_rate_is_not_ok(night, alerts):
    people = [supporter(i) for i in range(1, 13)]
    night.declare(activity=QUIET, safety={"pct_floor": 0, "max_reject_pct": 10})
    night.warehouse(people, [])
    night.sandbox.set_faults(
        {"member_errors": {p["email"]: "compliance" for p in people[1:]}}  # 11 of 12
    )
    payload = check(night, alerts, nightly(night), EXIT_REJECTS, "rejects", alerted=True)
    [aud] = payload["audiences"]
    assert aud["status"] == "rejects" and aud["applied"]["rejected_by_step"] == {"create": 11}
    assert {h["name"] for h in aud["reject_rate_hit"]} == {
        "max_reject_pct:create",
        "max_reject_pct",
    }


def test_a_real_key_never_syncs_the_bundled_sample(night, alerts, monkeypatch):
    """Configuration (exit 2), before any request: the error says how to name the folder."""
    monkeypatch.delenv("ENGAGE_MAILCHIMP_URL")
    monkeypatch.delenv("ENGAGE_RAW_DIR", raising=False)
    monkeypatch.setenv("MAILCHIMP_API_KEY", "0" * 32 + "-us6")
    payload = check(night, alerts, nightly(night), EXIT_CONFIG, "config", alerted=True)
    assert "ENGAGE_RAW_DIR" in payload["error"] and "--raw-dir" in payload["error"]
    result = runner.invoke(
        app, ["sync", "--json", "--db", str(night.db), "--manifest", str(night.manifest)]
    )
    assert (
        result.exit_code == EXIT_CONFIG and "ENGAGE_RAW_DIR" in json.loads(result.stdout)["error"]
    )
    assert "0" * 32 not in result.output + json.dumps(alerts.received)


def test_runs_lists_the_last_nights_newest_first(night, alerts, monkeypatch):
    assert nightly(night).exit_code == EXIT_OK
    monkeypatch.setenv("ENGAGE_MAILCHIMP_URL", "http://127.0.0.1:9")
    assert nightly(night).exit_code == EXIT_UNREACHABLE
    result = runner.invoke(app, ["runs", "--db", str(night.db)])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert text.index("unreachable") < text.index(" ok ")
    result = runner.invoke(app, ["runs", "--json", "--db", str(night.db)])
    assert [r["outcome"] for r in json.loads(result.stdout)["runs"]] == ["unreachable", "ok"]
