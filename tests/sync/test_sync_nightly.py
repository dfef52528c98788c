"""`engage nightly`: pull -> build -> plan -> fail-safes -> apply -> report, under one lock."""

from __future__ import annotations

import duckdb
from synctest_helpers import supporter

from sync.jobs.nightly import nightly_job
from sync.warehouse.project import Settings


def consent_build(calls):
    """A stand-in for `dbt build` that applies the consent rule the warehouse implements:
    unsubscribed/cleaned members read back from Mailchimp become opt-outs."""

    def build(settings: Settings, extra, progress):
        calls.append("build")
        con = duckdb.connect(str(settings.duckdb_path))
        try:
            con.execute(
                "update main.supporters set email_status = 'unsubscribed', is_emailable = false "
                "where md5(lower(trim(email))) in (select subscriber_hash from "
                "engage_sync.pulled_members where status in ('unsubscribed', 'cleaned'))"
            )
        finally:
            con.close()
        return True, {"counts": {"success": 1}}

    return build


def only_the_catalogue_warned(out) -> bool:
    """The stand-in build makes no marts, so the night can only say the segment catalogue was
    not written; anything else (a failure, another warning) is a real finding."""
    return (
        out.failure is None
        and [w for w in out.warnings if "catalogue" not in w] == []
        and (out.status in ("ok", "warnings"))
    )


def test_nightly_pulls_first_so_mailchimp_optouts_reach_the_warehouse(env, sandbox):
    env.declare(activity={"enabled": False})  # no campaigns here: their staleness would warn
    env.warehouse([supporter(1), supporter(2)], [("s0001", "a", "seg:a")])
    settings = Settings.from_env(duckdb_path=env.db)
    calls: list[str] = []
    out = nightly_job(settings, env.manifest, client=env.client(), build=consent_build(calls))
    assert only_the_catalogue_warned(out), out.as_dict()
    assert calls == ["build"] and out.pulls[0].status == "skipped"  # no audience yet
    aid = env.audience_id()
    # Person 1 unsubscribes through Mailchimp's link.
    sandbox.add_member(aid, "person1@campaign-mail.net", "unsubscribed", tags=["seg:a"])
    sandbox.clear_request_log()
    out = nightly_job(settings, env.manifest, client=env.client(), build=consent_build(calls))
    assert only_the_catalogue_warned(out), out.as_dict()
    assert out.pulls[0].opted_out_seen == 1
    supporters = dict(env.query("select email, email_status from main.supporters"))
    assert supporters["person1@campaign-mail.net"] == "unsubscribed"
    m1 = env.members()["person1@campaign-mail.net"]
    assert m1["status"] == "unsubscribed"
    # No attempt to re-subscribe; our tag is removed from the person who left.
    entries = [e for e in sandbox.request_log().entries if e.method == "POST"]
    assert [e.endpoint for e in entries] == ["/lists/{list_id}/segments/{segment_id}"]
    commands = [
        r[0] for r in env.query("select command from engage_sync.sync_runs order by started_at")
    ]
    assert commands == ["nightly", "pull", "sync"] * 2


def test_failed_build_stops_before_any_write(env, sandbox):
    env.warehouse([supporter(1)], [])
    settings = Settings.from_env(duckdb_path=env.db)
    out = nightly_job(
        settings,
        env.manifest,
        client=env.client(),
        build=lambda s, e, p: (False, {"failures": ["model x: boom"]}),
    )
    assert out.status == "build"
    assert sandbox.request_log().count("POST") == 0
