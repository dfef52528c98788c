"""Campaigns, sends, generated activity and the Reports API of the sandbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sandboxtest_helpers import h, new_email

from mailchimp_sandbox import SandboxServer
from mailchimp_sandbox.store import Store

SETTINGS = {
    "subject_line": "Bus lanes now",
    "title": "Bus lanes now alert",
    "from_name": "Org",
    "reply_to": "org@engage-sandbox.org",
}
SEND_TIME = "2026-03-02T09:00:00+00:00"
# Rates high enough that every kind of activity occurs with these sizes: addresses differ from
# run to run (a shared counter), and each member's activity follows from the seed and its hash.
BUSY = {
    "seed": 11,
    "send_time": SEND_TIME,
    "open_rate": 0.5,
    "machine_open_rate": 0.3,
    "click_rate": 0.5,
    "bounce_rate": 0.15,
    "unsubscribe_rate": 0.2,
    "abuse_rate": 0.2,
    "urls": ["https://engage.invalid/a", "https://engage.invalid/b"],
}
# What BUSY gives 40 fixed addresses (test_activity_is_the_same_in_every_run).
PINNED = {
    "send_time": SEND_TIME,
    "recipients": 40,
    "opens": 56,
    "machine_opens": 9,
    "clicks": 21,
    "bounces": 7,
    "unsubscribes": 10,
    "abuse_reports": 3,
}


def people(sandbox: SandboxServer, list_id: str, n: int, **spec: Any) -> list[str]:
    emails = [new_email("reader") for _ in range(n)]
    for email in emails:
        sandbox.add_member(list_id, email, "subscribed", **spec)
    return emails


def campaign(api: httpx.Client, list_id: str, segment_id: int | None = None) -> dict[str, Any]:
    recipients: dict[str, Any] = {"list_id": list_id}
    if segment_id is not None:
        recipients["segment_opts"] = {"saved_segment_id": segment_id}
    r = api.post(
        "/campaigns", json={"type": "regular", "recipients": recipients, "settings": SETTINGS}
    )
    assert r.status_code == 200, r.text
    return r.json()


def sent(api: httpx.Client, list_id: str, segment_id: int | None = None) -> str:
    cid = campaign(api, list_id, segment_id)["id"]
    assert api.post(f"/campaigns/{cid}/actions/send").status_code == 204
    return cid


def activity(sandbox: SandboxServer, cid: str, **spec: Any) -> httpx.Response:
    return httpx.post(f"{sandbox.url}/_sandbox/campaigns/{cid}/activity", json=spec, timeout=10)


def all_pages(api: httpx.Client, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        body = api.get(path, params={**params, "count": 7, "offset": len(rows)}).json()
        rows.extend(body[key])
        if len(rows) >= body["total_items"] or not body[key]:
            return rows


def test_send_snapshots_subscribed_members_of_the_tag(sandbox, api, sandbox_audience):
    lid = sandbox_audience
    tagged = people(sandbox, lid, 4, tags=["petition:bus"])
    people(sandbox, lid, 3)
    sandbox.add_member(lid, new_email("gone"), "unsubscribed", tags=["petition:bus"])
    tag_id = api.get(f"/lists/{lid}/segments").json()["segments"][0]["id"]
    draft = campaign(api, lid, tag_id)
    assert draft["status"] == "save" and draft["recipients"]["recipient_count"] == 4
    assert draft["recipients"]["segment_opts"]["saved_segment_id"] == tag_id
    cid = draft["id"]
    assert api.post(f"/campaigns/{cid}/actions/send").status_code == 204
    people(sandbox, lid, 2, tags=["petition:bus"])  # joins after the send: not a recipient
    got = api.get(f"/campaigns/{cid}").json()
    assert got["status"] == "sent" and got["emails_sent"] == 4 and got["send_time"]
    sent_to = api.get(f"/reports/{cid}/sent-to", params={"count": 100}).json()
    assert sorted(r["email_address"] for r in sent_to["sent_to"]) == sorted(tagged)
    assert {r["status"] for r in sent_to["sent_to"]} == {"sent"}
    assert api.post(f"/campaigns/{cid}/actions/send").status_code == 400  # already sent


def test_send_needs_recipients_and_settings(sandbox, api, sandbox_audience):
    bare = api.post("/campaigns", json={"type": "regular"}).json()
    r = api.post(f"/campaigns/{bare['id']}/actions/send")
    assert r.status_code == 400 and r.json()["detail"] == "Your Campaign is not ready to send."
    assert api.post("/campaigns", json={"settings": {}}).status_code == 400  # no type
    empty = campaign(api, sandbox_audience)  # nobody subscribed
    assert api.post(f"/campaigns/{empty['id']}/actions/send").status_code == 400
    assert api.get(f"/reports/{empty['id']}").status_code == 404


def test_same_seed_same_activity(sandbox, api, sandbox_audience):
    people(sandbox, sandbox_audience, 60)
    first, second = sent(api, sandbox_audience), sent(api, sandbox_audience)
    for cid in (first, second):
        assert activity(sandbox, cid, **BUSY).status_code == 200

    def shape(cid: str) -> list[tuple[Any, ...]]:
        rows = all_pages(api, f"/reports/{cid}/email-activity", "emails")
        return [(r["email_id"], str(r["activity"])) for r in rows]

    assert shape(first) == shape(second)
    unsubs = [all_pages(api, f"/reports/{c}/unsubscribed", "unsubscribes") for c in (first, second)]
    assert [(u["email_id"], u["reason"], u["timestamp"]) for u in unsubs[0]] == [
        (u["email_id"], u["reason"], u["timestamp"]) for u in unsubs[1]
    ]
    again = activity(sandbox, first, **BUSY).json()  # replace: the same again
    assert shape(first) == shape(second) and again["recipients"] == 60
    assert activity(sandbox, second, **{**BUSY, "seed": 12}).status_code == 200
    assert shape(first) != shape(second)


def test_activity_kinds_machine_opens_and_report(sandbox, api, sandbox_audience):
    people(sandbox, sandbox_audience, 80)
    cid = sent(api, sandbox_audience)
    counts = activity(sandbox, cid, **BUSY).json()
    assert counts["machine_opens"] > 0 and counts["clicks"] > 0 and counts["bounces"] > 0
    rows = all_pages(api, f"/reports/{cid}/email-activity", "emails")
    assert len(rows) == 80
    events = [e for r in rows for e in r["activity"]]
    sent_at = datetime.fromisoformat(SEND_TIME)
    seconds = [
        (datetime.fromisoformat(e["timestamp"]) - sent_at).total_seconds()
        for e in events
        if e["action"] == "open"
    ]
    assert min(seconds) >= 0 and sum(1 for s in seconds if s <= 10) == counts["machine_opens"]
    assert {e["url"] for e in events if e["action"] == "click"} <= set(BUSY["urls"])
    assert {e["type"] for e in events if e["action"] == "bounce"} <= {"hard", "soft"}
    report = api.get(f"/reports/{cid}").json()
    assert report["emails_sent"] == 80 and report["campaign_title"] == SETTINGS["title"]
    assert report["opens"]["opens_total"] == len(seconds)
    assert report["opens"]["proxy_excluded_opens"] == len(seconds) - counts["machine_opens"]
    assert report["clicks"]["clicks_total"] == counts["clicks"]
    bounces = report["bounces"]["hard_bounces"] + report["bounces"]["soft_bounces"]
    assert bounces == counts["bounces"] and report["unsubscribed"] == counts["unsubscribes"]
    abuse = api.get(f"/reports/{cid}/abuse-reports").json()
    assert abuse["total_items"] == report["abuse_reports"] == counts["abuse_reports"] > 0
    sent_to = {r["email_id"]: r for r in all_pages(api, f"/reports/{cid}/sent-to", "sent_to")}
    bounced = [r for r in rows if any(e["action"] == "bounce" for e in r["activity"])]
    assert all(sent_to[r["email_id"]]["status"] in ("hard", "soft") for r in bounced)
    summary = api.get(f"/campaigns/{cid}").json()["report_summary"]
    assert summary["opens"] == len(seconds) and summary["clicks"] == counts["clicks"]


def test_unsubscribes_and_hard_bounces_change_member_status(sandbox, api, sandbox_audience):
    people(sandbox, sandbox_audience, 60)
    cid = sent(api, sandbox_audience)
    activity(sandbox, cid, **{**BUSY, "hard_bounce_share": 1.0})
    unsubs = api.get(f"/reports/{cid}/unsubscribed", params={"count": 1000}).json()
    assert unsubs["total_items"] > 0
    for u in unsubs["unsubscribes"]:
        member = api.get(f"/lists/{sandbox_audience}/members/{u['email_id']}").json()
        assert member["status"] == "unsubscribed"
        assert member["unsubscribe_reason"] == u["reason"] and u["reason"]
    for r in api.get(f"/reports/{cid}/abuse-reports").json()["abuse_reports"]:
        assert sandbox.member(sandbox_audience, r["email_id"])["status"] == "unsubscribed"
    bounced = [
        r["email_id"]
        for r in all_pages(api, f"/reports/{cid}/sent-to", "sent_to")
        if r["status"] == "hard"
    ]
    assert bounced
    assert {sandbox.member(sandbox_audience, b)["status"] for b in bounced} == {"cleaned"}
    # The self-unsubscribed cannot be re-subscribed through the API (compliance).
    first = unsubs["unsubscribes"][0]
    r = api.patch(
        f"/lists/{sandbox_audience}/members/{first['email_id']}", json={"status": "subscribed"}
    )
    assert r.status_code == 400 and r.json()["title"] == "Member In Compliance State"


def test_report_paging(sandbox, api, sandbox_audience):
    people(sandbox, sandbox_audience, 25)
    cid = sent(api, sandbox_audience)
    activity(sandbox, cid, **BUSY)
    page = api.get(f"/reports/{cid}/sent-to", params={"count": 10, "offset": 20}).json()
    assert page["total_items"] == 25 and len(page["sent_to"]) == 5
    assert len({r["email_id"] for r in all_pages(api, f"/reports/{cid}/sent-to", "sent_to")}) == 25
    emails = all_pages(api, f"/reports/{cid}/email-activity", "emails")
    assert len({r["email_id"] for r in emails}) == 25
    assert api.get(f"/reports/{cid}/email-activity", params={"count": 1000}).status_code == 200
    r = api.get(f"/reports/{cid}/email-activity", params={"count": 1001})
    assert r.status_code == 400
    assert api.get("/reports", params={"count": 1000}).json()["total_items"] == 1
    only = api.get(f"/reports/{cid}/sent-to", params={"fields": "sent_to.email_id,total_items"})
    assert set(only.json()) == {"sent_to", "total_items"}
    assert set(only.json()["sent_to"][0]) == {"email_id"}
    lean = api.get(f"/reports/{cid}", params={"exclude_fields": "opens,clicks,_links"}).json()
    assert "opens" not in lean and "bounces" in lean
    ignored = api.get(f"/reports/{cid}", params={"fields": "nope,id"})  # not in the schema
    assert (ignored.status_code, ignored.json()) == (200, {"id": cid})


def test_email_activity_since(sandbox, api, sandbox_audience):
    people(sandbox, sandbox_audience, 50)
    cid = sent(api, sandbox_audience)
    activity(sandbox, cid, **BUSY)
    everything = all_pages(api, f"/reports/{cid}/email-activity", "emails")
    since = (datetime.fromisoformat(SEND_TIME) + timedelta(hours=6)).isoformat()
    later = all_pages(api, f"/reports/{cid}/email-activity", "emails", since=since)
    expected = {
        r["email_id"]: [e for e in r["activity"] if e["timestamp"] >= since] for r in everything
    }
    expected = {k: v for k, v in expected.items() if v}
    assert expected and len(expected) < len(everything)
    assert {r["email_id"]: r["activity"] for r in later} == expected
    assert api.get(f"/reports/{cid}/email-activity", params={"since": "soon"}).status_code == 400


def test_late_wave_adds_activity(sandbox, api, sandbox_audience):
    people(sandbox, sandbox_audience, 30)
    cid = sent(api, sandbox_audience)
    first = activity(sandbox, cid, **BUSY).json()
    late = activity(
        sandbox, cid, seed=99, replace=False, offset_hours=72, window_hours=24, open_rate=0.5
    ).json()
    assert late["machine_opens"] == 0 and late["opens"] > 0
    since = (datetime.fromisoformat(SEND_TIME) + timedelta(hours=72)).isoformat()
    later = all_pages(api, f"/reports/{cid}/email-activity", "emails", since=since)
    # every action of the late wave, bounces included (whether it has one depends on the
    # addresses, which differ with the tests run before this one)
    expected = late["opens"] + late["clicks"] + late["bounces"]
    assert sum(len(r["activity"]) for r in later) == expected
    report = api.get(f"/reports/{cid}").json()
    assert report["opens"]["opens_total"] == first["opens"] + late["opens"]


def test_campaign_list_filters(sandbox, api, sandbox_audience):
    people(sandbox, sandbox_audience, 3)
    old, new = sent(api, sandbox_audience), sent(api, sandbox_audience)
    draft = campaign(api, sandbox_audience)["id"]
    activity(sandbox, old, seed=1, send_time="2025-06-01T10:00:00Z")
    activity(sandbox, new, seed=1, send_time="2026-06-01T10:00:00Z")
    ids = lambda **p: [c["id"] for c in api.get("/campaigns", params=p).json()["campaigns"]]  # noqa: E731
    assert ids() == [old, new, draft]
    assert ids(status="sent") == [old, new] and ids(status="save") == [draft]
    assert ids(since_send_time="2026-01-01T00:00:00Z") == [new]
    assert ids(before_send_time="2026-01-01T00:00:00Z") == [old]
    assert ids(sort_field="send_time", sort_dir="DESC")[:2] == [new, old]
    assert ids(count=1, offset=1) == [new]
    body = api.get("/campaigns", params={"fields": "campaigns.id,total_items"}).json()
    assert body == {"campaigns": [{"id": old}, {"id": new}, {"id": draft}], "total_items": 3}
    reports = api.get("/reports", params={"since_send_time": "2026-01-01T00:00:00Z"}).json()
    assert [r["id"] for r in reports["reports"]] == [new]
    assert api.get("/campaigns", params={"status": "done"}).status_code == 400


def test_sdk_reads_reports(sandbox, sandbox_sdk, sandbox_audience):
    emails = people(sandbox, sandbox_audience, 5)
    c = sandbox_sdk.campaigns.create(
        {"type": "regular", "recipients": {"list_id": sandbox_audience}, "settings": SETTINGS}
    )
    sandbox_sdk.campaigns.send(c["id"])
    activity(sandbox, c["id"], **BUSY)
    listed = sandbox_sdk.campaigns.list(since_send_time="2026-01-01T00:00:00+00:00")
    assert [x["id"] for x in listed["campaigns"]] == [c["id"]]
    recipients = sandbox_sdk.reports.get_campaign_recipients(c["id"], count=1000)
    assert {r["email_id"] for r in recipients["sent_to"]} == {h(e) for e in emails}
    assert sandbox_sdk.reports.get_email_activity_for_campaign(c["id"])["total_items"] == 5
    assert sandbox_sdk.reports.get_all_campaign_reports()["total_items"] == 1
    assert "unsubscribes" in sandbox_sdk.reports.get_unsubscribed_list_for_campaign(c["id"])
    assert "abuse_reports" in sandbox_sdk.reports.get_campaign_abuse_reports(c["id"])


def test_activity_control(sandbox, api, sandbox_audience):
    people(sandbox, sandbox_audience, 2)
    draft = campaign(api, sandbox_audience)["id"]
    url = f"{sandbox.url}/_sandbox/campaigns/{draft}/activity"
    assert httpx.post(url, content=b'{"seed": 1}', timeout=10).status_code == 415  # no JSON type
    assert httpx.post(url, data={"seed": "1"}, timeout=10).status_code == 415  # a form post
    assert activity(sandbox, draft, seed=1).status_code == 400  # not sent
    assert activity(sandbox, "0000000000", seed=1).status_code == 404
    api.post(f"/campaigns/{draft}/actions/send")
    assert activity(sandbox, draft, open_rate=2).status_code == 400
    assert activity(sandbox, draft, send_time="yesterday").status_code == 400
    r = httpx.post(url, headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 200  # an empty JSON request: the default rates
    assert sandbox.campaign_activity(draft, seed=1)["recipients"] == 2


def test_campaigns_persist_and_reset(sandbox, api, sandbox_audience):
    people(sandbox, sandbox_audience, 10)
    cid = sent(api, sandbox_audience)
    activity(sandbox, cid, **BUSY)
    store = Store()
    store.load_dict(sandbox.dump())
    assert store.campaigns[cid].activity == sandbox.state.campaigns[cid].activity
    old = {k: v for k, v in sandbox.dump().items() if k != "campaigns"}
    store.load_dict(old)  # a state file from before campaigns existed
    assert store.campaigns == {}
    sandbox.reset()
    assert api.get(f"/campaigns/{cid}").status_code == 404


@pytest.mark.parametrize(
    "path", ["", "/sent-to", "/email-activity", "/unsubscribed", "/abuse-reports"]
)
def test_unknown_campaign_reports_are_404(api, path):
    assert api.get(f"/reports/0000000000{path}").status_code == 404


def test_activity_is_the_same_in_every_run(sandbox, api, sandbox_audience):
    """Pinned counts for fixed addresses: no dependence on process, hash seed or test order."""
    for i in range(40):
        sandbox.add_member(sandbox_audience, f"golden{i}@engage-sandbox.org", "subscribed")
    cid = sent(api, sandbox_audience)
    counts = activity(sandbox, cid, **BUSY).json()
    del counts["campaign_id"]
    assert counts == PINNED
