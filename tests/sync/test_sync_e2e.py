"""End to end from the sample spreadsheets: the built warehouse, the declared exposure in
models/mailchimp, the sandbox through the official SDK, and consent read back by dbt."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import SyncEnv
from synctest_helpers import build_desired, meta_of
from warehouse_build import make_warehouse

from sync.mailchimp import state
from sync.mailchimp.exposures import load_audiences
from sync.mailchimp.pull import pull_all

WRITES = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def sample(built_warehouse, sandbox, tmp_path):
    """A private copy of the built sample warehouse and the sandbox it syncs to."""
    broken = built_warehouse.failures("supporters", "segment_memberships", "mailchimp_members")
    assert not broken, broken
    # The sample uses reserved example.* domains, which Mailchimp refuses as fake; the
    # sandbox is told to accept them so the demo audience is not empty.
    sandbox.update_settings(fake_domains=[])
    db = tmp_path / "engage.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    env = SyncEnv(tmp_path, sandbox, db, built_warehouse.target_path / "manifest.json", {})
    env.built = built_warehouse
    return env


def expected_members(env):
    rows = env.query(
        "select email, first_name, last_name, district, engagement_rung, "
        "strftime(last_action_date, '%Y-%m-%d'), top_issue_slug, rfm_label, next_step "
        "from main.mailchimp_members where is_emailable"
    )
    tags = {}
    for email, tag in env.query(
        "select m.email, s.tag from main.segment_memberships s "
        "join main.mailchimp_members m using (supporter_id)"
    ):
        tags.setdefault(email, set()).add(tag)
    return {r[0]: (r[1:], tags.get(r[0], set())) for r in rows}


def test_sample_first_run_creates_members_fields_and_tags_then_nothing(sample):
    out = sample.sync()
    assert out.status == "ok", out.as_dict()
    want = expected_members(sample)
    members = sample.members()
    assert set(members) == set(want)
    assert len(want) > 100
    for email, ((fname, lname, district, rung, last, issue, rfm, step), tags) in want.items():
        m = members[email]
        assert m["status"] == "subscribed"
        mf = m["merge_fields"]
        assert (mf.get("FNAME", ""), mf.get("LNAME", ""), mf.get("DISTRICT", "")) == (
            fname or "",
            lname or "",
            district or "",
        )
        assert (mf.get("ENGTIER", ""), mf.get("LASTACT", "")) == (rung or "", last or "")
        # The conditional-content fields (dropdowns): every member gets an ask.
        assert (mf.get("TOPISSUE", ""), mf.get("RFM", ""), mf.get("NEXTSTEP", "")) == (
            issue or "",
            rfm or "",
            step,
        )
        assert set(m["tags"]) == tags, email
    not_emailable = {
        e
        for (e,) in sample.query("select email from main.mailchimp_members where not is_emailable")
    }
    assert not not_emailable & set(members)
    sample.sandbox.clear_request_log()
    again = sample.sync()
    assert again.audiences[0].plan.is_empty
    assert [e for e in sample.sandbox.request_log().entries if e.method in WRITES] == []


def test_sample_changed_segment_sends_exactly_its_adds_and_removes(sample):
    sample.sync()
    con = state.connect(sample.db)
    try:
        leaving = con.execute(
            "select m.email from main.segment_memberships s join main.mailchimp_members m "
            "using (supporter_id) where s.tag = 'seg:lapsed-90d' order by m.email limit 3"
        ).fetchall()
        joining = con.execute(
            "select supporter_id, email from main.mailchimp_members where is_emailable and "
            "supporter_id not in (select supporter_id from main.segment_memberships "
            "where tag = 'seg:lapsed-90d') order by email limit 2"
        ).fetchall()
        con.execute(
            "delete from main.segment_memberships where tag = 'seg:lapsed-90d' and supporter_id "
            "in (select supporter_id from main.mailchimp_members where email in (?, ?, ?))",
            [e for (e,) in leaving],
        )
        con.executemany(
            "insert into main.segment_memberships (membership_id, supporter_id, segment_name, "
            "tag) values (?, ?, 'seg_lapsed_90d', 'seg:lapsed-90d')",
            [[f"m{i}", sid] for i, (sid, _) in enumerate(joining)],
        )
        # ... and the desired state is rebuilt from them, as `engage build` would.
        build_desired(con, {a.key: meta_of(a) for a in load_audiences(sample.manifest)})
    finally:
        con.close()
    sample.sandbox.clear_request_log()
    assert sample.sync().status == "ok"
    sent = [e for e in sample.sandbox.request_log().entries if e.method in WRITES]
    assert [(e.method, e.endpoint) for e in sent] == [
        ("POST", "/lists/{list_id}/segments/{segment_id}")
    ]
    from sync.mailchimp.client import subscriber_hash

    assert sorted(sent[0].body["members_to_add"]) == sorted(
        "md5:" + subscriber_hash(e) for _, e in joining
    )
    assert sorted(sent[0].body["members_to_remove"]) == sorted(
        "md5:" + subscriber_hash(e) for (e,) in leaving
    )


def test_sample_optouts_in_mailchimp_are_suppressed_by_the_warehouse(sample, tmp_path):
    sample.sync()
    aid = sample.audience_id()
    members = sorted(sample.members())
    unsub, cleaned = members[0], members[1]
    sample.sandbox.add_member(aid, unsub, "unsubscribed")
    sample.sandbox.add_member(aid, cleaned, "cleaned")
    con = state.connect(sample.db)
    client = sample.client()
    try:
        [res] = pull_all(con, client, load_audiences(sample.manifest))
    finally:
        con.close()
        client.close()
    assert res.opted_out_seen == 2
    # Rebuild the consent path of the warehouse from the read-back tables.
    wh = make_warehouse(tmp_path / "wh", sample.built.raw_dir)
    wh.db_path = sample.db
    shutil.copytree(sample.built.target_path, wh.target_path)
    outcome = wh.dbt("run", "--select", "stg_mailchimp_sync__pulled_members+")
    assert outcome.success, outcome.failures
    status = dict(
        sample.query(
            "select email, email_status || '/' || cast(is_emailable as varchar) "
            "from main.supporters where email in (?, ?)",
            unsub,
            cleaned,
        )
    )
    assert status == {unsub: "unsubscribed/false", cleaned: "cleaned/false"}
    sample.sandbox.clear_request_log()
    assert sample.sync().status == "ok"
    after = sample.members()
    assert after[unsub]["status"] == "unsubscribed" and after[cleaned]["status"] == "cleaned"
    for e in sample.sandbox.request_log().entries:
        if e.endpoint == "/lists/{list_id}" and e.method == "POST":
            assert all(m.get("status") != "subscribed" for m in e.body["members"]), json.dumps(
                e.body
            )[:300]
