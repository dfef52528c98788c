"""`engage pull`: the read-back of each audience, incremental, owned data only."""

from __future__ import annotations

from synctest_helpers import sub_hash, supporter

from sync.mailchimp import state
from sync.mailchimp.exposures import load_audiences
from sync.mailchimp.pull import pull_all

DAY_AGO = "2020-01-01T10:00:00+00:00"


def pull(env, full=False):
    con = state.connect(env.db)
    client = env.client()
    try:
        [res] = pull_all(con, client, load_audiences(env.manifest), full=full)
        return res
    finally:
        con.close()
        client.close()


def test_pull_is_incremental_and_stores_only_owned_fields_and_tags(env, sandbox):
    env.warehouse([supporter(1)], [])
    env.sync()
    aid = env.audience_id()
    for i in range(2, 7):
        sandbox.add_member(
            aid,
            f"old{i}@campaign-mail.net",
            last_changed=DAY_AGO,
            tags=["VIP", "seg:hand"],
            merge_fields={"PHONE": "555", "FNAME": "X"},
        )
    first = pull(env)
    assert first.full and first.members_read == 6
    fields = env.query("select distinct tag from engage_sync.pulled_merge_fields order by 1")
    assert [t for (t,) in fields] == ["DISTRICT", "FNAME", "LASTACT", "LNAME", "SCORE"]
    tags = env.query("select distinct tag from engage_sync.pulled_tags")
    assert tags == [("seg:hand",)]  # VIP is not ours: not stored
    # Only what changed since the last pull (minus a small overlap) is read again.
    sandbox.add_member(aid, "old2@campaign-mail.net", "unsubscribed", last_changed=None)
    sandbox.clear_request_log()
    second = pull(env)
    assert not second.full and second.since
    get = [e for e in sandbox.request_log().entries if e.endpoint.endswith("/members")]
    assert all("since_last_changed" in e.query for e in get)
    assert second.members_read == 2  # old2 and person1 (created minutes ago, in the overlap)
    status = dict(env.query("select email_address, status from engage_sync.pulled_members"))
    assert status["old2@campaign-mail.net"] == "unsubscribed" and len(status) == 6


def test_more_than_50_tags_are_read_from_the_member_tags_endpoint(env, sandbox):
    env.warehouse([supporter(1)], [])
    env.sync()
    aid = env.audience_id()
    many = [f"hand-{i:02d}" for i in range(55)] + ["seg:zzz-late"]
    sandbox.add_member(aid, "many@campaign-mail.net", tags=many)
    pull(env)
    tags = env.query(
        "select tag from engage_sync.pulled_tags where subscriber_hash = ?",
        sub_hash("many@campaign-mail.net"),
    )
    assert tags == [("seg:zzz-late",)]


def test_full_pull_drops_members_mailchimp_no_longer_has(env, sandbox, sandbox_sdk):
    env.warehouse([supporter(1), supporter(2)], [])
    env.sync()
    pull(env)
    aid = env.audience_id()
    sandbox_sdk.lists.delete_list_member_permanent(aid, sub_hash("person2@campaign-mail.net"))
    assert pull(env).removed == 0  # an incremental pull cannot see a permanent delete
    res = pull(env, full=True)
    assert res.removed == 1
    assert [e for (e,) in env.query("select email_address from engage_sync.pulled_members")] == [
        "person1@campaign-mail.net"
    ]


def test_archived_members_are_read_explicitly(env, sandbox, sandbox_sdk):
    env.warehouse([supporter(1), supporter(2)], [])
    env.sync()
    aid = env.audience_id()
    sandbox_sdk.lists.delete_list_member(aid, sub_hash("person2@campaign-mail.net"))
    pull(env)
    status = dict(env.query("select email_address, status from engage_sync.pulled_members"))
    assert status == {
        "person1@campaign-mail.net": "subscribed",
        "person2@campaign-mail.net": "archived",
    }


def test_compliance_reject_is_cleared_once_the_person_resubscribes_in_mailchimp(env, sandbox):
    env.warehouse([supporter(1)], [])
    sandbox.set_faults({"member_errors": {"person1@campaign-mail.net": "compliance"}})
    env.sync()
    assert env.query("select reason from engage_sync.sync_rejects") == [("compliance_state",)]
    sandbox.set_faults(None)
    aid = env.audience_id()
    sandbox.add_member(
        aid, "person1@campaign-mail.net", "subscribed", last_changed="2099-01-01T00:00:00+00:00"
    )
    assert pull(env).rejects_cleared == 1
    assert env.query("select count(*) from engage_sync.sync_rejects") == [(0,)]


def test_an_optout_stays_on_record_after_mailchimp_archives_or_deletes_the_member(
    env, sandbox, sandbox_sdk
):
    # Opt-outs must win: pulled_members only holds the current status, so an archive (or a
    # permanent delete) would hide an unsubscribe seen earlier; pulled_optouts keeps it.
    env.warehouse([supporter(1), supporter(2)], [])
    env.sync()
    aid = env.audience_id()
    h1, h2 = sub_hash("person1@campaign-mail.net"), sub_hash("person2@campaign-mail.net")
    sandbox.add_member(aid, "person1@campaign-mail.net", "unsubscribed", last_changed=DAY_AGO)
    sandbox.add_member(aid, "person2@campaign-mail.net", "cleaned", last_changed=None)
    assert pull(env).opted_out_seen == 2
    assert env.query("select count(*) from engage_sync.pulled_optouts") == [(2,)]
    sandbox_sdk.lists.delete_list_member(aid, h1)  # archived by staff
    pull(env)
    pull(env, full=True)  # re-reading the same opt-out does not append it again
    assert env.query(
        "select status from engage_sync.pulled_members where subscriber_hash = ?", h1
    ) == [("archived",)]
    sandbox_sdk.lists.delete_list_member_permanent(aid, h2)
    assert pull(env, full=True).removed == 1
    optouts = env.query(
        "select subscriber_hash, status, observed_at from engage_sync.pulled_optouts order by 2"
    )
    assert [(h, st) for h, st, _ in optouts] == [(h2, "cleaned"), (h1, "unsubscribed")]
    assert str(optouts[1][2]) == "2020-01-01 10:00:00"  # when Mailchimp recorded the opt-out


def test_optouts_pulled_before_the_optout_log_existed_are_kept(env, sandbox, sandbox_sdk):
    # A warehouse pulled by an older version has the opt-out only in pulled_members.
    env.warehouse([supporter(1)], [])
    env.sync()
    aid = env.audience_id()
    h1 = sub_hash("person1@campaign-mail.net")
    sandbox.add_member(aid, "person1@campaign-mail.net", "unsubscribed", last_changed=DAY_AGO)
    pull(env)
    env.query("delete from engage_sync.pulled_optouts")
    sandbox_sdk.lists.delete_list_member(aid, h1)
    pull(env)
    assert env.query("select subscriber_hash, status from engage_sync.pulled_optouts") == [
        (h1, "unsubscribed")
    ]
