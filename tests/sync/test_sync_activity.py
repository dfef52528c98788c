"""`engage pull` reads campaign activity back: incremental, bounded, resumable, nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from synctest_helpers import supporter

from sync.mailchimp import state
from sync.mailchimp.exposures import load_audiences
from sync.mailchimp.pull import pull_all

BUSY = {
    "open_rate": 0.5,
    "machine_open_rate": 0.3,
    "click_rate": 0.5,
    "bounce_rate": 0.1,
    "unsubscribe_rate": 0.15,
    "abuse_rate": 0.1,
}
REPLY = "org@engage-sandbox.org"


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def pull(env):
    con = state.connect(env.db)
    client = env.client()
    try:
        [res] = pull_all(con, client, load_audiences(env.manifest))
        return res
    finally:
        con.close()
        client.close()


def send(env, title: str, days_ago: float, seed: int, tag: str | None = None) -> str:
    """Create and send a campaign (to a tag, or the whole audience) and generate its activity."""
    aid = env.audience_id()
    recipients: dict[str, Any] = {"list_id": aid}
    with httpx.Client(base_url=env.sandbox.api_url, auth=("u", env.sandbox.api_key)) as api:
        if tag is not None:
            segments = api.get(f"/lists/{aid}/segments", params={"count": 1000}).json()
            [seg_id] = [s["id"] for s in segments["segments"] if s["name"] == tag]
            recipients["segment_opts"] = {"saved_segment_id": seg_id}
        settings = {"title": title, "subject_line": title, "from_name": "Org", "reply_to": REPLY}
        body = {"type": "regular", "recipients": recipients, "settings": settings}
        cid = api.post("/campaigns", json=body).json()["id"]
        assert api.post(f"/campaigns/{cid}/actions/send").status_code == 204
    env.sandbox.campaign_activity(cid, seed=seed, send_time=ago(days=days_ago), **BUSY)
    return cid


def report(env, cid: str) -> dict[str, Any]:
    with httpx.Client(base_url=env.sandbox.api_url, auth=("u", env.sandbox.api_key)) as api:
        return api.get(f"/reports/{cid}").json()


def stored(env, cid: str) -> Counter:
    rows = env.query(
        "select action, count(*) from engage_sync.pulled_campaign_activity "
        "where campaign_id = ? group by action",
        cid,
    )
    return Counter(dict(rows))


def report_requests(env) -> Counter:
    out: Counter = Counter()
    for e in env.sandbox.request_log().entries:
        if e.endpoint == "/campaigns":
            out["campaigns"] += 1
        elif e.endpoint.startswith("/reports/{campaign_id}/"):
            out[e.endpoint.rsplit("/", 1)[1]] += 1
        elif e.endpoint.endswith("/segments"):
            out["segments"] += 1
    return out


@pytest.fixture
def audience(env):
    people = [supporter(i) for i in range(1, 41)]
    memberships = [(f"s{i:04d}", "petition", "seg:petition") for i in range(1, 21)]
    env.warehouse(people, memberships)
    assert env.sync().status == "ok"
    return env


def test_pull_reads_campaigns_and_every_kind_of_activity(audience, sandbox):
    env = audience
    cid = send(env, "Bus lanes now alert", days_ago=2, seed=5, tag="seg:petition")
    sandbox.clear_request_log()
    res = pull(env)
    assert res.status == "ok", res.error
    [row] = env.query(
        "select title, subject_line, tag, emails_sent, send_time is not null "
        "from engage_sync.pulled_campaigns"
    )
    assert row == ("Bus lanes now alert", "Bus lanes now alert", "seg:petition", 20, True)
    r = report(env, cid)
    got = stored(env, cid)
    assert got["sent"] == r["emails_sent"] == 20
    assert got["open"] == r["opens"]["opens_total"] > 0
    assert got["click"] == r["clicks"]["clicks_total"] > 0
    assert got["bounce"] == r["bounces"]["hard_bounces"] + r["bounces"]["soft_bounces"] > 0
    assert got["unsubscribe"] == r["unsubscribed"] > 0
    assert got["abuse_report"] == r["abuse_reports"] > 0
    reasons = env.query(
        "select count(*) from engage_sync.pulled_campaign_activity "
        "where action = 'unsubscribe' and detail is not null"
    )
    assert reasons == [(got["unsubscribe"],)]  # every unsubscribe keeps its reason
    # One page of each report, one campaign listing, one tag-name lookup.
    assert report_requests(env) == {
        "campaigns": 1,
        "segments": 1,
        "sent-to": 1,
        "email-activity": 1,
        "unsubscribed": 1,
        "abuse-reports": 1,
    }
    assert res.activity.requests == 6 and res.activity.campaigns == 1


def test_a_second_pull_reads_only_the_look_back_window_and_late_activity_once(audience, sandbox):
    env = audience
    old = send(env, "Old newsletter", days_ago=40, seed=1)
    recent = send(env, "Town hall invite", days_ago=2, seed=2)
    assert pull(env).activity.campaigns == 2  # the first pull reads a year back
    before = {cid: stored(env, cid) for cid in (old, recent)}

    sandbox.clear_request_log()
    res = pull(env)
    assert res.status == "ok" and res.activity.campaigns == 1  # only the recent one
    # Nothing new: one listing, and one page of activity, unsubscribes and abuse reports for
    # the campaign in the window; its recipients are not read again.
    assert report_requests(env) == {
        "campaigns": 1,
        "email-activity": 1,
        "unsubscribed": 1,
        "abuse-reports": 1,
    }
    listing = [e for e in sandbox.request_log().entries if e.endpoint == "/campaigns"]
    assert "since_send_time" in listing[0].query
    activity = [e for e in sandbox.request_log().entries if e.endpoint.endswith("email-activity")]
    assert "since" in activity[0].query
    assert {cid: stored(env, cid) for cid in (old, recent)} == before

    # Late activity on the recent campaign (a second wave, an hour ago) is read, and the
    # overlap with the first read stores nothing twice.
    sandbox.campaign_activity(
        recent, seed=9, replace=False, send_time=ago(hours=1), open_rate=0.5, click_rate=0.5
    )
    pull(env)
    r = report(env, recent)
    after = stored(env, recent)
    assert after["open"] == r["opens"]["opens_total"] > before[recent]["open"]
    assert after["click"] == r["clicks"]["clicks_total"]
    assert after["sent"] == before[recent]["sent"]


def test_a_pull_that_fails_midway_resumes_where_it_stopped(audience, sandbox):
    env = audience
    aid = env.audience_id()
    for i in range(2300):
        sandbox.add_member(aid, f"reader{i}@campaign-mail.net")
    cid = send(env, "Big send", days_ago=1, seed=3)
    # The second page of recipients fails past every retry: the pull stops with an error.
    sandbox.set_faults({"endpoints": ["GET /reports/*/sent-to"], "script": [None] + ["500"] * 20})
    first = pull(env)
    assert first.status == "error" and "campaign activity" in first.error
    assert stored(env, cid)["sent"] == 1000  # the first page is kept
    sandbox.set_faults({})
    sandbox.clear_request_log()
    second = pull(env)
    assert second.status == "ok", second.error
    offsets = [
        e.query.get("offset")
        for e in sandbox.request_log().entries
        if e.endpoint.endswith("sent-to")
    ]
    assert offsets == ["1000", "2000"]  # resumed at the page it had not stored
    assert stored(env, cid)["sent"] == 2340
    assert env.query(
        "select count(*) from engage_sync.activity_progress where completed_at is null"
    ) == [(0,)]


def test_activity_can_be_switched_off(env, sandbox):
    env.declare(activity={"enabled": False})
    env.warehouse([supporter(1)], [])
    env.sync()
    send(env, "Any", days_ago=1, seed=1)
    sandbox.clear_request_log()
    res = pull(env)
    assert res.activity is None and not report_requests(env)


def test_stale_activity_is_warned_about_and_logged(audience, sandbox):
    env = audience
    send(env, "Long ago", days_ago=30, seed=4)
    res = pull(env)
    assert res.status == "ok"
    assert res.activity.warning and "over 7 days" in res.activity.warning
    assert "warning:" in res.summary()
    logged = env.query(
        "select counts from engage_sync.sync_runs where command = 'pull' "
        "order by started_at desc limit 1"
    )
    assert "over 7 days" in logged[0][0]
    send(env, "Fresh", days_ago=1, seed=5)
    assert pull(env).activity.warning is None


def test_sigkill_during_the_activity_pull_resumes_without_losing_or_repeating(audience, sandbox):
    env = audience
    aid = env.audience_id()
    for i in range(3460):
        sandbox.add_member(aid, f"reader{i}@campaign-mail.net")
    cid = send(env, "Big send", days_ago=1, seed=3)  # 3500 recipients: four pages
    sandbox.set_faults({"latency": 0.3, "endpoints": ["GET /reports/*/sent-to"]})
    sandbox.clear_request_log()
    cmd = [sys.executable, "-c", "from sync.cli.app import app; app()", "pull"]
    cmd += ["--db", str(env.db), "--manifest", str(env.manifest), "--json"]
    environ = {
        **os.environ,
        "MAILCHIMP_API_KEY": sandbox.api_key,
        "ENGAGE_MAILCHIMP_URL": sandbox.url,
    }
    proc = subprocess.Popen(
        cmd, env=environ, cwd=env.tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def sent_to_offsets() -> list[str]:
        return [
            e.query.get("offset", "0")
            for e in sandbox.request_log().entries
            if e.endpoint.endswith("/sent-to")
        ]

    deadline = time.monotonic() + 60
    while len(sent_to_offsets()) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # about when the second page is in flight
    proc.wait(timeout=10)
    time.sleep(0.6)  # the sandbox logs a request when it answers: let the killed ones finish
    assert sent_to_offsets()[:2] == ["0", "1000"]
    kept = stored(env, cid)["sent"]
    # What the killed pull had stored (on a loaded machine it may have got further).
    assert kept in (1000, 2000, 3000)
    sandbox.set_faults(None)
    sandbox.clear_request_log()
    assert pull(env).status == "ok"
    # The next pull starts at the first page not stored, and ends with every recipient once.
    assert sent_to_offsets() == [str(o) for o in range(kept, 3500, 1000)]
    assert stored(env, cid)["sent"] == 3500


def test_a_campaign_first_seen_after_its_look_back_window_is_still_read(audience, sandbox):
    env = audience
    send(env, "Recent", days_ago=1, seed=6)
    assert pull(env).activity.campaigns == 1
    # Reported as sent 30 days ago, but Mailchimp lists it only now (e.g. a send that finished
    # late): the next pull reads it because it is new, then leaves it to the window.
    late = send(env, "Reported late", days_ago=30, seed=7)
    res = pull(env)
    assert res.activity.new_campaigns == 1 and res.activity.campaigns == 2
    assert stored(env, late)["sent"] == report(env, late)["emails_sent"]
    assert pull(env).activity.campaigns == 1  # after that, only the recent one
