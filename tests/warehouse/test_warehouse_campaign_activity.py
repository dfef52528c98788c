"""Campaign activity: the sample's members-export unsubscribes reach their campaigns, and
activity pulled from Mailchimp's Reports API (engage_sync.pulled_campaigns /
pulled_campaign_activity, written here by hand as the pull writes them) joins the one event
stream: unsubscribes with their reason and campaign, opt-outs and suppressions in consent, and
the same open from a CSV export and the API counted once."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from warehouse_build import Warehouse, failure_text
from warehousetest_helpers import NO_TESTS

CAMPAIGN = "bus-lanes-now-alert"
SENT = dt.datetime(2026, 11, 18, 14, 33, 0)


@pytest.fixture(scope="module")
def sample(built_warehouse: Warehouse) -> Warehouse:
    failed = built_warehouse.failures("campaign", "engagement_events", "consent", "supporters")
    assert not failed, [(f.name, f.message) for f in failed]
    return built_warehouse


def test_members_export_unsubscribes_attribute_to_their_campaigns(sample: Warehouse):
    """Sends carry the file slug, the members export the campaign title: one key now, so the
    30 sample unsubscribes reach campaign_performance (they were 0.0% for all 12 before)."""
    rows = dict(sample.query("select campaign_key, unsubscribes from campaign_performance"))
    assert len(rows) == 12
    assert sum(rows.values()) == 30
    assert rows[CAMPAIGN] == 7 and rows["transit-fare-freeze"] == 4
    reasons = sample.query(
        "select reason, count(*) from engagement_events where action_type = 'unsubscribe' "
        "and source_kind = 'mailchimp_members' group by reason"
    )
    assert {"SPAM", "Too many emails"} <= {r for r, _ in reasons}
    assert not sample.query("select * from unmapped_campaigns")


def _one(wh: Warehouse, sql: str, params=()) -> str:
    rows = wh.query(sql, params)
    assert rows, sql
    return rows[0][0]


@pytest.fixture(scope="module")
def pulled(sample: Warehouse, tmp_path_factory: pytest.TempPathFactory):
    """The sample plus one pulled campaign (the bus lanes alert) and its activity: an open that
    the CSV export also has, a machine open 20 s after the send, an unsubscribe with a reason
    and a spam complaint."""
    wh = sample.fork(tmp_path_factory.mktemp("pulled_activity"))
    # someone the opened export has (a human open, > 60 s after the send)
    csv_email, csv_open = wh.query(
        "select email, occurred_at from stg_spreadsheets__email_activity "
        "where campaign_name = ? and activity_type = 'open' and email is not null "
        "and occurred_at > ? order by occurred_at, email limit 1",
        [CAMPAIGN, SENT + dt.timedelta(minutes=5)],
    )[0]
    # two subscribed recipients with no opt-out yet
    unsub_email, abuse_email = (
        r[0]
        for r in wh.query(
            "select distinct s.email from stg_spreadsheets__email_activity a "
            "join supporters s on s.email = a.email "
            "where a.campaign_name = ? and a.activity_type = 'sent' "
            "and s.email_status = 'subscribed' and s.email <> ? order by s.email limit 2",
            [CAMPAIGN, csv_email],
        )
    )
    con = duckdb.connect(str(wh.db_path))
    try:
        con.execute("create schema if not exists engage_sync")
        con.execute(
            "create table engage_sync.pulled_campaigns (audience_id varchar not null,"
            " campaign_id varchar primary key, web_id bigint, title varchar,"
            " subject_line varchar, send_time timestamp, emails_sent integer, segment_id bigint,"
            " segment_text varchar, tag varchar, pulled_at timestamp)"
        )
        con.execute(
            "insert into engage_sync.pulled_campaigns values ('aud1', 'c0ffee1234', 4242,"
            " 'Bus lanes now alert', 'Bus lanes: now or never', ?, 140, 77, 'Tag is issue:transit',"
            " 'issue:transit', timestamp '2026-11-20 02:00:00')",
            [SENT],
        )
        con.execute(
            "create table engage_sync.pulled_campaign_activity (audience_id varchar not null,"
            " campaign_id varchar not null, subscriber_hash varchar not null,"
            " email_address varchar, action varchar not null, occurred_at timestamp not null,"
            " url varchar not null, detail varchar, pulled_at timestamp,"
            " primary key (campaign_id, subscriber_hash, action, occurred_at, url))"
        )
        rows = [
            (csv_email, "open", csv_open, None),
            (unsub_email, "sent", SENT, "sent"),
            (unsub_email, "open", SENT + dt.timedelta(seconds=20), None),
            (unsub_email, "unsubscribe", dt.datetime(2026, 11, 19, 10, 0, 0), "Too many emails"),
            (abuse_email, "sent", SENT, "sent"),
            (abuse_email, "abuse_report", dt.datetime(2026, 11, 19, 11, 0, 0), None),
        ]
        for email, action, at, detail in rows:
            con.execute(
                "insert into engage_sync.pulled_campaign_activity values ('aud1', 'c0ffee1234',"
                " md5(lower(?)), ?, ?, ?, '', ?, timestamp '2026-11-20 02:00:00')",
                [email, email, action, at, detail],
            )
    finally:
        con.close()
    outcome = wh.dbt(
        "build",
        "--select",
        "stg_mailchimp_sync__campaigns+",
        "stg_mailchimp_sync__campaign_activity+",
        *NO_TESTS,
    )
    assert outcome.success, failure_text(outcome)
    return wh, {"csv": (csv_email, csv_open), "unsub": unsub_email, "abuse": abuse_email}


def test_api_unsubscribe_lands_with_reason_and_campaign_and_opts_out(pulled):
    wh, who = pulled
    email = who["unsub"]
    events = wh.query(
        "select e.campaign_name, e.reason, e.source_kind, e.occurred_at"
        " from engagement_events e join supporters s using (supporter_id)"
        " where s.email = ? and e.action_type = 'unsubscribe'",
        [email],
    )
    assert events == [
        (CAMPAIGN, "Too many emails", "mailchimp_api", dt.datetime(2026, 11, 19, 10, 0, 0))
    ]
    consent = wh.query(
        "select c.status, c.evidence, c.detail from consent_events c join supporters s"
        " using (supporter_id) where s.email = ? and c.source_type = 'mailchimp_sync'",
        [email],
    )
    assert consent == [("unsubscribed", "mailchimp_unsubscribe_report", "Too many emails")]
    assert wh.query(
        "select email_status, is_emailable from supporters where email = ?", [email]
    ) == [("unsubscribed", False)]
    # the machine open 20 s after the send is flagged like a CSV one
    proxies = wh.query(
        "select e.is_proxy_open from engagement_events e join supporters s using (supporter_id)"
        " where s.email = ? and e.action_type = 'email_open' and e.source_kind = 'mailchimp_api'",
        [email],
    )
    assert proxies == [(True,)]


def test_abuse_report_suppresses(pulled):
    wh, who = pulled
    email = who["abuse"]
    assert wh.query(
        "select email_status, is_emailable from supporters where email = ?", [email]
    ) == [("suppressed", False)]
    evidence = _one(
        wh,
        "select c.evidence from consent_events c join supporters s using (supporter_id)"
        " where s.email = ? and c.status = 'suppressed'",
        [email],
    )
    assert evidence == "mailchimp_abuse_report"
    performance = wh.query(
        "select campaign_id, tag, abuse_complaints, unsubscribes from campaign_performance"
        " where campaign_key = ?",
        [CAMPAIGN],
    )
    assert performance == [("c0ffee1234", "issue:transit", 1, 8)]


def test_same_open_from_export_and_api_counts_once(pulled, sample: Warehouse):
    wh, who = pulled
    email, at = who["csv"]
    sql = (
        "select e.source_kind, count(*) from engagement_events e join supporters s"
        " using (supporter_id) where s.email = ? and e.action_type = 'email_open'"
        " and e.campaign_name = ? and e.occurred_at = ? group by e.source_kind"
    )
    assert wh.query(sql, [email, CAMPAIGN, at]) == [("email_activity", 1)]
    # the export's events keep their ids once the API reports the same opens; the only new
    # open is the machine open only the API has
    ids = "select event_id, source_kind from engagement_events where action_type = 'email_open'"
    before, after = set(sample.query(ids)), set(wh.query(ids))
    assert before <= after
    assert [kind for _, kind in after - before] == ["mailchimp_api"]
    opens = "select unique_human_opens from campaign_performance where campaign_key = ?"
    assert wh.query(opens, [CAMPAIGN]) == sample.query(opens, [CAMPAIGN])
