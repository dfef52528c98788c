"""`engage sync` against the sandbox through the official SDK: what lands in Mailchimp."""

from __future__ import annotations

from synctest_helpers import sub_hash, supporter

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def writes(log):
    return [e for e in log.entries if e.method in WRITES]


def test_first_run_creates_members_with_fields_and_tags(env):
    env.warehouse(
        [
            supporter(1, last_action="2024-03-05"),
            supporter(2),
            supporter(3, email_status="unsubscribed", is_emailable=False),
        ],
        [
            ("s0001", "lapsed", "seg:lapsed-90d"),
            ("s0002", "h", "issue:housing"),
            ("s0001", "h", "issue:housing"),
        ],
    )
    out = env.sync()
    assert out.status == "ok", out.as_dict()
    members = env.members()
    assert set(members) == {"person1@campaign-mail.net", "person2@campaign-mail.net"}
    m1 = members["person1@campaign-mail.net"]
    assert m1["status"] == "subscribed"
    assert m1["merge_fields"] == {
        "FNAME": "First1",
        "LNAME": "Last1",
        "DISTRICT": "D1",
        "SCORE": 1,
        "LASTACT": "2024-03-05",
    }
    assert m1["tags"] == ["issue:housing", "seg:lapsed-90d"]
    assert members["person2@campaign-mail.net"]["tags"] == ["issue:housing"]
    [aud] = out.audiences
    assert aud.applied.merge_fields_created == ["DISTRICT", "SCORE", "LASTACT"]
    assert aud.applied.done["created"] == 2 and aud.applied.done["tags_added"] == 3


def test_second_run_plans_nothing_and_sends_no_write(env):
    env.warehouse([supporter(i) for i in range(1, 6)], [("s0001", "a", "seg:a")])
    assert env.sync().status == "ok"
    env.sandbox.clear_request_log()
    out = env.sync()
    assert out.audiences[0].plan.is_empty
    log = env.sandbox.request_log()
    assert writes(log) == [], [(e.method, e.endpoint) for e in writes(log)]
    assert log.count() > 0  # it did read (audience, merge fields)


def test_changed_segment_sends_exactly_the_adds_and_removes(env):
    env.warehouse(
        [supporter(i) for i in range(1, 5)], [("s0001", "a", "seg:a"), ("s0002", "a", "seg:a")]
    )
    env.sync()
    env.warehouse(
        [supporter(i) for i in range(1, 5)], [("s0001", "a", "seg:a"), ("s0003", "a", "seg:a")]
    )
    env.sandbox.clear_request_log()
    out = env.sync()
    assert out.status == "ok"
    log = env.sandbox.request_log()
    sent = writes(log)
    assert [(e.method, e.endpoint) for e in sent] == [
        ("POST", "/lists/{list_id}/segments/{segment_id}")
    ]
    body = sent[0].body
    assert body["members_to_add"] == ["md5:" + sub_hash("person3@campaign-mail.net")]
    assert body["members_to_remove"] == ["md5:" + sub_hash("person2@campaign-mail.net")]
    members = env.members()
    assert members["person2@campaign-mail.net"]["tags"] == []
    assert members["person3@campaign-mail.net"]["tags"] == ["seg:a"]


def test_hand_set_tags_and_fields_we_do_not_own_are_untouched(env, sandbox):
    env.warehouse([supporter(1), supporter(2)], [("s0001", "a", "seg:a")])
    env.sync()
    aid = env.audience_id()
    # By hand in Mailchimp: a human tag and a phone number on a member we sync, and a member
    # we never synced with a tag in our namespace.
    sandbox.add_member(
        aid,
        "person1@campaign-mail.net",
        tags=["VIP", "seg:a"],
        merge_fields={
            "PHONE": "555-0100",
            "FNAME": "First1",
            "LNAME": "Last1",
            "DISTRICT": "D1",
            "SCORE": 1,
        },
    )
    sandbox.add_member(
        aid, "walkin@campaign-mail.net", tags=["seg:a", "Volunteer"], merge_fields={"FNAME": "Walk"}
    )
    env.warehouse([supporter(1, first_name="Changed"), supporter(2)], [("s0002", "a", "seg:a")])
    assert env.sync().status == "ok"
    members = env.members()
    m1 = members["person1@campaign-mail.net"]
    assert m1["tags"] == ["VIP"]
    assert m1["merge_fields"]["PHONE"] == "555-0100"
    assert m1["merge_fields"]["FNAME"] == "Changed"
    assert members["walkin@campaign-mail.net"]["tags"] == ["Volunteer", "seg:a"]
    assert members["walkin@campaign-mail.net"]["merge_fields"] == {"FNAME": "Walk"}


def test_unsubscribed_and_cleaned_are_never_resubscribed_and_suppressed_after_pull(env, sandbox):
    from sync.mailchimp import state
    from sync.mailchimp.exposures import load_audiences
    from sync.mailchimp.pull import pull_all

    env.warehouse([supporter(1)], [])
    env.sync()
    aid = env.audience_id()
    sandbox.add_member(aid, "person2@campaign-mail.net", "unsubscribed")
    sandbox.add_member(aid, "person3@campaign-mail.net", "cleaned")
    # The warehouse has not heard of those opt-outs and thinks both are emailable.
    env.warehouse(
        [supporter(1), supporter(2), supporter(3)],
        [("s0002", "a", "seg:a"), ("s0003", "a", "seg:a")],
    )
    out = env.sync()
    members = env.members()
    assert members["person2@campaign-mail.net"]["status"] == "unsubscribed"
    assert members["person3@campaign-mail.net"]["status"] == "cleaned"
    assert out.audiences[0].applied.done["found_existing"] == 2
    # After a pull, the opt-outs are in the read-back table the warehouse's consent reads ...
    client = env.client()
    con = state.connect(env.db)
    try:
        [res] = pull_all(con, client, load_audiences(env.manifest))
        pulled = dict(
            con.execute("select email_address, status from engage_sync.pulled_members").fetchall()
        )
    finally:
        con.close()
        client.close()
    assert res.opted_out_seen == 2
    assert pulled["person2@campaign-mail.net"] == "unsubscribed"
    assert pulled["person3@campaign-mail.net"] == "cleaned"
    # ... and the next run sends nothing for them, not even while the warehouse lags behind.
    sandbox.clear_request_log()
    out = env.sync()
    assert out.audiences[0].plan.is_empty, out.audiences[0].plan
    assert writes(sandbox.request_log()) == []


def test_double_optin_audience_gets_pending_new_members(env, sandbox):
    sandbox.create_list("Supporters", double_optin=True)
    env.warehouse([supporter(1)], [])
    env.sync()
    assert env.members()["person1@campaign-mail.net"]["status"] == "pending"


def test_optout_in_warehouse_is_propagated_as_unsubscribe(env):
    env.warehouse([supporter(1), supporter(2)], [("s0001", "a", "seg:a")])
    env.sync()
    env.warehouse([supporter(1, email_status="unsubscribed", is_emailable=False), supporter(2)], [])
    out = env.sync()
    assert out.audiences[0].applied.done["unsubscribed"] == 1
    m1 = env.members()["person1@campaign-mail.net"]
    assert m1["status"] == "unsubscribed" and m1["tags"] == []


def test_plan_above_threshold_is_refused_before_any_write(env, sandbox):
    env.warehouse([supporter(i) for i in range(1, 41)], [])
    env.sync()
    env.warehouse(
        [
            supporter(i, email_status="unsubscribed", is_emailable=False)
            if i <= 20
            else supporter(i)
            for i in range(1, 41)
        ],
        [],
    )
    env.declare(safety={"max_unsubscribes": 10})
    sandbox.clear_request_log()
    out = env.sync()
    assert out.status == "refused"
    assert writes(sandbox.request_log()) == []
    assert [t.name for t in out.audiences[0].thresholds] == [
        "max_unsubscribes",
        "max_unsubscribes_pct",
        "max_size_drop_pct",
    ]
    runs = env.query(
        "select status, thresholds_hit from engage_sync.sync_runs order by started_at desc limit 1"
    )
    assert runs[0][0] == "refused" and "max_unsubscribes" in runs[0][1]
    # --force with a reason applies it, and the reason is logged.
    out = env.sync(force_reason="spring clean agreed with the team")
    assert out.status == "ok"
    assert (
        env.query(
            "select force_reason from engage_sync.sync_runs order by started_at desc limit 1"
        )[0][0]
        == "spring clean agreed with the team"
    )
    assert sum(m["status"] == "unsubscribed" for m in env.members().values()) == 20


def test_merge_field_conflict_is_an_error_before_any_member_write(env, sandbox):
    env.warehouse([supporter(1)], [])
    env.declare(merge_fields=[{"column": "first_name", "tag": "PHONE", "type": "text"}])
    sandbox.clear_request_log()
    out = env.sync()
    assert out.status == "config"
    assert "PHONE exists as type 'phone'" in out.error
    assert [
        e
        for e in writes(sandbox.request_log())
        if e.endpoint.startswith("/lists/{list_id}") and e.endpoint != "/lists"
    ] == []


def test_terminal_member_errors_are_recorded_and_not_retried(env, sandbox):
    env.warehouse(
        [supporter(1), supporter(2), supporter(3), supporter(4)],
        [("s0001", "a", "seg:a"), ("s0002", "a", "seg:a")],
    )
    sandbox.set_faults(
        {
            "member_errors": {
                "person1@campaign-mail.net": "compliance",
                "person2@campaign-mail.net": "forgotten",
                "person3@campaign-mail.net": "fake_email",
            }
        }
    )
    out = env.sync()
    assert out.status == "ok"
    rejects = dict(env.query("select email_address, reason from engage_sync.sync_rejects"))
    assert rejects == {
        "person1@campaign-mail.net": "compliance_state",
        "person2@campaign-mail.net": "forgotten",
        "person3@campaign-mail.net": "invalid_email",
    }
    assert set(env.members()) == {"person4@campaign-mail.net"}
    sandbox.clear_request_log()
    out = env.sync()
    assert out.audiences[0].plan.is_empty
    assert writes(sandbox.request_log()) == []


def test_sudden_growth_is_refused_before_any_write_unless_forced(env, sandbox):
    env.declare(safety={"max_new_members": 20, "max_new_members_pct": 100})
    env.warehouse([supporter(i) for i in range(1, 11)], [])
    assert env.sync().status == "ok"  # the first load is not a growth
    env.warehouse([supporter(i) for i in range(1, 41)], [])
    sandbox.clear_request_log()
    out = env.sync()
    assert out.status == "refused"
    names = {t.name for t in out.audiences[0].thresholds}
    assert names == {"max_new_members", "max_new_members_pct"}
    assert not [e for e in sandbox.request_log().entries if e.method != "GET"]
    assert env.query("select status from engage_sync.plans order by created_at desc limit 1") == [
        ("refused",)
    ]
    forced = env.sync(force_reason="imported the spring petition")
    assert forced.status == "ok" and forced.audiences[0].applied.done["created"] == 30
    assert env.query(
        "select force_reason from engage_sync.sync_runs where forced order by started_at desc"
    )[0] == ("imported the spring petition",)


def test_a_tag_created_but_whose_answer_was_lost_is_looked_up(env, sandbox):
    env.warehouse([supporter(1), supporter(2)], [("s0001", "a", "seg:a"), ("s0002", "b", "seg:b")])
    # The first segment create is processed, then the connection drops before the answer:
    # the retry is told the name is taken.
    sandbox.set_faults({"script": ["drop_after"], "endpoints": ["POST /lists/{list_id}/segments"]})
    out = env.sync()
    assert out.status == "ok", out.as_dict()
    assert out.audiences[0].applied.done["tags_added"] == 2
    members = env.members()
    assert members["person1@campaign-mail.net"]["tags"] == ["seg:a"]
    assert members["person2@campaign-mail.net"]["tags"] == ["seg:b"]
    creates = [
        e.status
        for e in sandbox.request_log().entries
        if (e.method, e.endpoint) == ("POST", "/lists/{list_id}/segments")
    ]
    assert creates.count(None) == 1 and 400 in creates  # dropped, then "already exists"


def test_setup_calls_run_concurrently(env, sandbox):
    tags = [f"seg:t{i}" for i in range(8)]
    env.warehouse([supporter(1)], [("s0001", t.split(":")[1], t) for t in tags])
    sandbox.set_faults({"latency": 0.2})
    assert env.sync().status == "ok"
    setup = [
        e
        for e in sandbox.request_log().entries
        if e.method == "POST" and e.endpoint.endswith(("/merge-fields", "/segments"))
    ]
    assert len(setup) == 3 + 8  # DISTRICT, SCORE, LASTACT (FNAME, LNAME come with a list)
    # One at a time, no two of these 0.2 s requests would be in flight together. Count how many
    # are, rather than timing the whole (a loaded CI machine stretches wall-clock spans).
    edges = sorted(
        [(e.at, 1) for e in setup] + [(e.at + e.duration_ms / 1000, -1) for e in setup],
        key=lambda edge: (edge[0], edge[1]),
    )
    in_flight = peak = 0
    for _, step in edges:
        in_flight += step
        peak = max(peak, in_flight)
    assert peak >= 2, f"setup requests never overlapped (peak {peak} in flight)"
