"""The plan computed in DuckDB: desired vs pushed (or pulled) state, with consent rules."""

from __future__ import annotations

import json

import duckdb
import pytest
from synctest_helpers import (
    audience,
    build_desired,
    compute_plan,
    default_meta,
    make_warehouse,
    pretend_applied,
    sub_hash,
    supporter,
)

from sync.errors import ConfigError, PlanError
from sync.mailchimp import plan, state

AID = "aud0000001"


@pytest.fixture
def con(tmp_path):
    c = state.connect(tmp_path / "w.duckdb")
    yield c
    c.close()


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def plan_members(con, action):
    return {
        r[0]: r[1:]
        for r in rows(
            con,
            "select subscriber_hash, status, changed_fields, merge_fields from "
            "engage_sync.plan_members where action = ?",
            action,
        )
    }


def plan_tags(con, op):
    return set(rows(con, "select subscriber_hash, tag from engage_sync.plan_tags where op = ?", op))


def test_first_plan_creates_emailable_members_with_fields_and_tags(con):
    make_warehouse(
        con,
        [
            supporter(1, last_action="2024-03-05"),
            supporter(2, email_status="unsubscribed", is_emailable=False),
            supporter(3, email_status="unknown", is_emailable=False),
            supporter(4, email=None),
        ],
        [("s0001", "lapsed", "seg:lapsed-90d"), ("s0002", "lapsed", "seg:lapsed-90d")],
    )
    aud = audience()
    s = compute_plan(con, aud, AID, double_optin=False)
    creates = plan_members(con, "create")
    assert set(creates) == {sub_hash("person1@campaign-mail.net")}
    status, changed, mf = creates[sub_hash("person1@campaign-mail.net")]
    assert status == "subscribed"
    assert json.loads(mf) == {
        "FNAME": "First1",
        "LNAME": "Last1",
        "DISTRICT": "D1",
        "SCORE": "1",
        "LASTACT": "2024-03-05",
    }
    assert changed == "DISTRICT,FNAME,LASTACT,LNAME,SCORE"
    assert plan_tags(con, "add") == {(sub_hash("person1@campaign-mail.net"), "seg:lapsed-90d")}
    assert s.desired_size == 1 and s.counts.creates == 1 and s.counts.tag_adds == 1
    assert s.counts.unsubscribes == 0  # the opted-out person was never in Mailchimp


def test_double_optin_audience_creates_pending(con):
    make_warehouse(con, [supporter(1)], [])
    compute_plan(con, audience(), AID, double_optin=True)
    assert plan_members(con, "create")[sub_hash("person1@campaign-mail.net")][0] == "pending"


def test_applied_plan_replans_to_nothing(con):
    make_warehouse(con, [supporter(i) for i in range(5)], [("s0001", "a", "seg:a")])
    aud = audience()
    compute_plan(con, aud, AID, False)
    pretend_applied(con, aud.key)
    s = compute_plan(con, aud, AID, False)
    assert s.is_empty, s.counts


def test_changed_segment_plans_exact_adds_and_removes(con):
    make_warehouse(
        con,
        [supporter(i) for i in range(4)],
        [("s0001", "a", "seg:a"), ("s0002", "a", "seg:a"), ("s0003", "b", "issue:housing")],
    )
    aud = audience()
    compute_plan(con, aud, AID, False)
    pretend_applied(con, aud.key)
    make_warehouse(
        con,
        [supporter(i) for i in range(4)],
        [("s0001", "a", "seg:a"), ("s0003", "a", "seg:a"), ("s0003", "b", "issue:housing")],
    )
    s = compute_plan(con, aud, AID, False)
    assert plan_tags(con, "add") == {(sub_hash("person3@campaign-mail.net"), "seg:a")}
    assert plan_tags(con, "remove") == {(sub_hash("person2@campaign-mail.net"), "seg:a")}
    assert s.counts.creates == s.counts.updates == 0


def test_changed_field_updates_only_that_field(con):
    make_warehouse(con, [supporter(1), supporter(2)], [])
    aud = audience()
    compute_plan(con, aud, AID, False)
    pretend_applied(con, aud.key)
    make_warehouse(con, [supporter(1, first_name="Renamed", score=None), supporter(2)], [])
    compute_plan(con, aud, AID, False)
    updates = plan_members(con, "update")
    assert list(updates) == [sub_hash("person1@campaign-mail.net")]
    status, changed, mf = updates[sub_hash("person1@campaign-mail.net")]
    assert status is None  # existing members never get a status
    assert changed == "FNAME,SCORE"
    assert json.loads(mf) == {"FNAME": "Renamed", "SCORE": ""}
    old_new = rows(
        con, "select tag, old_value, new_value from engage_sync.plan_merge_fields order by tag"
    )
    assert old_new == [("FNAME", "First1", "Renamed"), ("SCORE", "1", "")]


def test_optout_is_propagated_as_unsubscribe_and_tags_removed(con):
    make_warehouse(con, [supporter(1), supporter(2)], [("s0001", "a", "seg:a")])
    aud = audience()
    compute_plan(con, aud, AID, False)
    pretend_applied(con, aud.key)
    make_warehouse(
        con,
        [supporter(1, email_status="unsubscribed", is_emailable=False), supporter(2)],
        [],
    )
    compute_plan(con, aud, AID, False)
    assert set(plan_members(con, "unsubscribe")) == {sub_hash("person1@campaign-mail.net")}
    assert (
        plan_members(con, "unsubscribe")[sub_hash("person1@campaign-mail.net")][0] == "unsubscribed"
    )
    assert plan_tags(con, "remove") == {(sub_hash("person1@campaign-mail.net"), "seg:a")}
    reason = rows(con, "select reason from engage_sync.plan_tags")[0][0]
    assert reason == "optout"


def test_optout_wins_over_a_duplicate_emailable_record(con):
    make_warehouse(
        con,
        [
            supporter(1),
            supporter(
                2,
                email="PERSON1@campaign-mail.net ",
                email_status="unsubscribed",
                is_emailable=False,
            ),
        ],
        [],
    )
    s = compute_plan(con, audience(), AID, False)
    assert s.counts.creates == 0


def test_opted_out_in_mailchimp_is_never_created(con):
    make_warehouse(con, [supporter(1), supporter(2)], [])
    h1 = sub_hash("person1@campaign-mail.net")
    con.execute(
        "insert into engage_sync.pulled_members values (?, ?, ?, 'unsubscribed', now(), now(), 0)",
        [AID, "person1@campaign-mail.net", h1],
    )
    compute_plan(con, audience(), AID, False)
    assert set(plan_members(con, "create")) == {sub_hash("person2@campaign-mail.net")}


def test_unsubscribe_reaches_members_seen_only_by_a_pull(con):
    make_warehouse(con, [supporter(1, email_status="unsubscribed", is_emailable=False)], [])
    h1 = sub_hash("person1@campaign-mail.net")
    con.execute(
        "insert into engage_sync.pulled_members values (?, ?, ?, 'subscribed', now(), now(), 0)",
        [AID, "person1@campaign-mail.net", h1],
    )
    compute_plan(con, audience(), AID, False)
    assert set(plan_members(con, "unsubscribe")) == {h1}


def test_terminal_rejects_get_no_writes(con):
    make_warehouse(con, [supporter(1), supporter(2)], [("s0001", "a", "seg:a")])
    state.record_rejects(
        con,
        AID,
        [
            (
                sub_hash("person1@campaign-mail.net"),
                "person1@campaign-mail.net",
                "compliance_state",
                "x",
                None,
                None,
            )
        ],
        "r",
    )
    s = compute_plan(con, audience(), AID, False)
    assert set(plan_members(con, "create")) == {sub_hash("person2@campaign-mail.net")}
    assert s.counts.tag_adds == 0


def test_invalid_merge_value_is_retried_only_when_values_change(con):
    make_warehouse(con, [supporter(1)], [])
    aud = audience()
    compute_plan(con, aud, AID, False)
    payload = rows(con, "select md5(concat_ws('|', 'First1', 'Last1', 'D1', '1', ''))")[0][0]
    h = sub_hash("person1@campaign-mail.net")
    state.record_rejects(
        con,
        AID,
        [(h, "person1@campaign-mail.net", "invalid_merge_value", "bad", "SCORE", payload)],
        "r",
    )
    assert compute_plan(con, aud, AID, False).counts.creates == 0
    make_warehouse(con, [supporter(1, score=2.5)], [])
    assert compute_plan(con, aud, AID, False).counts.creates == 1


def test_removal_policies(con):
    make_warehouse(con, [supporter(1), supporter(2)], [("s0001", "a", "seg:a")])
    for policy, archives, removes in (("archive", 1, 1), ("remove_tags", 0, 1), ("nothing", 0, 0)):
        con.execute("delete from engage_sync.pushed_members")
        con.execute("delete from engage_sync.pushed_tags")
        make_warehouse(con, [supporter(1), supporter(2)], [("s0001", "a", "seg:a")])
        aud = audience(default_meta(removal_policy=policy))
        compute_plan(con, aud, AID, False)
        pretend_applied(con, aud.key)
        # supporter 1 leaves the audience (filtered out), without opting out
        make_warehouse(con, [supporter(1, district=None), supporter(2)], [])
        aud = audience(
            default_meta(
                removal_policy=policy,
                members={"model": "supporters", "filter": "district is not null"},
            )
        )
        s = compute_plan(con, aud, AID, False)
        assert (s.counts.archives, s.counts.tag_removes, s.counts.unsubscribes) == (
            archives,
            removes,
            0,
        ), policy


def test_reconcile_repairs_drift_in_owned_tags_only(con):
    make_warehouse(con, [supporter(1)], [("s0001", "a", "seg:a")])
    aud = audience()
    compute_plan(con, aud, AID, False)
    pretend_applied(con, aud.key)
    h = sub_hash("person1@campaign-mail.net")
    # Mailchimp now: our tag removed by hand, a human tag and a stray owned tag added.
    con.execute(
        "insert into engage_sync.pulled_members values (?, 'person1@campaign-mail.net', ?, "
        "'subscribed', now(), now(), 2)",
        [AID, h],
    )
    con.executemany(
        "insert into engage_sync.pulled_tags values (?, ?, ?)",
        [[AID, h, "VIP"], [AID, h, "seg:stray"]],
    )
    con.executemany(
        "insert into engage_sync.pulled_merge_fields values (?, ?, ?, ?)",
        [
            [AID, h, t, v]
            for t, v in (
                ("FNAME", "First1"),
                ("LNAME", "Hand"),
                ("DISTRICT", "D1"),
                ("SCORE", "1"),
                ("LASTACT", ""),
            )
        ],
    )
    assert compute_plan(con, aud, AID, False).is_empty
    s = compute_plan(con, aud, AID, False, basis="reconcile")
    assert plan_tags(con, "add") == {(h, "seg:a")}
    assert plan_tags(con, "remove") == {(h, "seg:stray")}
    assert json.loads(plan_members(con, "update")[h][2]) == {"LNAME": "Last1"}
    assert s.basis == "reconcile"


def test_staff_archived_member_is_left_alone_unless_reconciling(con):
    make_warehouse(con, [supporter(1)], [("s0001", "a", "seg:a")])
    aud = audience()
    compute_plan(con, aud, AID, False)
    pretend_applied(con, aud.key)
    make_warehouse(con, [supporter(1, first_name="New")], [("s0001", "a", "seg:a")])
    h = sub_hash("person1@campaign-mail.net")
    con.execute(
        "insert into engage_sync.pulled_members values (?, 'person1@campaign-mail.net', ?, "
        "'archived', now() + interval 1 minute, now(), 0)",
        [AID, h],
    )
    assert compute_plan(con, aud, AID, False).is_empty
    s = compute_plan(con, aud, AID, False, basis="reconcile")
    assert s.counts.creates == 1 and s.counts.tag_adds == 1


@pytest.mark.parametrize(
    "tag, msg",
    [
        ("VIP", "outside the owned namespaces"),
        ("seg:Bad Tag", "not a valid tag name"),
        ("", "empty tag"),
    ],
)
def test_invalid_tags_are_refused_before_planning(con, tag, msg):
    make_warehouse(con, [supporter(1)], [("s0001", "x", tag)])
    with pytest.raises(PlanError, match=msg):
        compute_plan(con, audience(), AID, False)
    assert rows(con, "select count(*) from engage_sync.plans")[0][0] == 0


def test_tags_differing_only_in_case_are_refused(con):
    make_warehouse(con, [supporter(1)], [("s0001", "x", "seg:a"), ("s0001", "y", "SEG:A")])
    with pytest.raises(PlanError, match="differ only in case"):
        compute_plan(con, audience(), AID, False)


def test_missing_column_names_the_model_and_column(con):
    make_warehouse(con, [supporter(1)], [])
    meta = default_meta(merge_fields=[{"column": "nickname", "tag": "NICK", "type": "text"}])
    with pytest.raises(ConfigError, match="no column.*nickname"):
        compute_plan(con, audience(meta), AID, False)


def test_segment_selection_limits_tags(con):
    make_warehouse(con, [supporter(1)], [("s0001", "a", "seg:a"), ("s0001", "b", "seg:b")])
    meta = default_meta(
        tags={"model": "segment_memberships", "segments": ["b"], "owned_namespaces": ["seg:"]}
    )
    compute_plan(con, audience(meta), AID, False)
    assert plan_tags(con, "add") == {(sub_hash("person1@campaign-mail.net"), "seg:b")}


def test_long_text_is_cut_to_255_bytes(con):
    make_warehouse(con, [supporter(1, first_name="é" * 200)], [])
    compute_plan(con, audience(), AID, False)
    mf = json.loads(plan_members(con, "create")[sub_hash("person1@campaign-mail.net")][2])
    assert len(mf["FNAME"].encode()) <= 255 and mf["FNAME"] == "é" * 127


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ('=HYPERLINK("http://x.example","Ana")', '\'=HYPERLINK("http://x.example","Ana")'),
        ("+1 Ana", "'+1 Ana"),
        ("-Ana", "'-Ana"),
        ("@Ana", "'@Ana"),
        ('Ana <a href="http://x.example">click</a>', "Ana click"),
        ("<script>alert(1)</script>Ana", "alert(1)Ana"),
        ("Ana <3", "Ana 3"),
        ("*|UNSUB|*", "*UNSUB*"),
        ("Ana-Maria O'Neil", "Ana-Maria O'Neil"),
    ],
)
def test_text_merge_fields_are_made_safe(con, written, sent):
    """Formula-looking text, HTML and merge-tag delimiters in a name never reach Mailchimp as
    they were written (docs/sync.md, "Values made safe")."""
    make_warehouse(con, [supporter(1, first_name=written)], [])
    compute_plan(con, audience(), AID, False)
    mf = json.loads(plan_members(con, "create")[sub_hash("person1@campaign-mail.net")][2])
    assert mf["FNAME"] == sent


def test_phone_and_url_merge_fields_keep_their_leading_plus(con):
    make_warehouse(con, [supporter(1, last_name="+44 20 7946 0000")], [])
    meta = default_meta(merge_fields=[{"column": "last_name", "tag": "PHONE", "type": "phone"}])
    compute_plan(con, audience(meta), AID, False)
    mf = json.loads(plan_members(con, "create")[sub_hash("person1@campaign-mail.net")][2])
    assert mf["PHONE"] == "+44 20 7946 0000"


def test_member_staff_archived_that_we_never_pushed_is_left_alone(con):
    # Seen unsubscribed by one pull, archived by staff before the next: the warehouse no longer
    # sees the opt-out and we never pushed the member. Creating it would revive it as subscribed.
    make_warehouse(con, [supporter(1), supporter(2)], [("s0001", "a", "seg:a")])
    h = sub_hash("person1@campaign-mail.net")
    con.execute(
        "insert into engage_sync.pulled_members values (?, 'person1@campaign-mail.net', ?, "
        "'archived', now(), now(), 0)",
        [AID, h],
    )
    s = compute_plan(con, audience(), AID, False)
    assert set(plan_members(con, "create")) == {sub_hash("person2@campaign-mail.net")}
    assert s.counts.tag_adds == 0


def test_reconcile_keeps_an_optout_that_staff_archived_since(con):
    make_warehouse(con, [supporter(1)], [("s0001", "a", "seg:a")])
    aud = audience()
    compute_plan(con, aud, AID, False)
    pretend_applied(con, aud.key)
    h = sub_hash("person1@campaign-mail.net")
    state.record_member_status(con, AID, [h], "unsubscribed")  # opted out, seen by a pull
    con.execute(
        "insert into engage_sync.pulled_members values (?, 'person1@campaign-mail.net', ?, "
        "'archived', now(), now(), 0)",
        [AID, h],
    )
    assert compute_plan(con, aud, AID, False, basis="reconcile").counts.creates == 0
    state.rebase_on_pulled(con, AID, [f.tag for f in aud.spec.merge_fields], ["seg:"], "r")
    for basis in ("state", "reconcile"):
        assert compute_plan(con, aud, AID, False, basis=basis).counts.creates == 0, basis


def test_filter_error_stops_the_desired_state_build_and_the_plan(con):
    # The filter is evaluated by dbt (mailchimp_desired_members) since the desired state moved
    # there: a bad one fails that model's build, and the plan refuses to run on no desired state.
    make_warehouse(con, [supporter(1)], [])
    meta = default_meta(members={"model": "supporters", "filter": "cast(email as integer) > 0"})
    with pytest.raises(duckdb.Error, match="is_in_scope"):
        build_desired(con, {"mailchimp_supporters": meta})
    with pytest.raises(PlanError, match="run `engage build` first") as err:
        plan.compute_plan(con, audience(meta), AID, False)
    assert "@" not in str(err.value)
    assert rows(con, "select count(*) from engage_sync.plans")[0][0] == 0
